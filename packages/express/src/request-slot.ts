import { IncomingMessage } from "node:http";

const values = new WeakMap<object, unknown>();
/** Express's own request prototypes (one per copy of Express) that carry the `hj` accessor. */
const prepared = new WeakSet<object>();
let lastPrototype: object | null = null;

/**
 * Express's request prototype for `req`: the object just above Node's
 * `IncomingMessage.prototype` in its chain (Express's `request`, from which each
 * app's `app.request`, the request's prototype, is made), or null.
 */
function expressRequestPrototype(req: object): object | null {
  let prototype: object | null = Object.getPrototypeOf(req) as object | null;
  while (prototype !== null) {
    const parent = Object.getPrototypeOf(prototype) as object | null;
    if (parent === IncomingMessage.prototype) return prototype;
    prototype = parent;
  }
  return null;
}

function prepare(req: object): boolean {
  const base = expressRequestPrototype(req);
  if (base === null) return false;
  if (!prepared.has(base)) {
    if (Object.hasOwn(base, "hj")) return false;
    Object.defineProperty(base, "hj", {
      configurable: true,
      enumerable: false,
      get(this: object): unknown {
        return values.get(this);
      },
      set(this: object, value: unknown) {
        values.set(this, value);
      },
    });
    prepared.add(base);
  }
  return true;
}

/**
 * Sets `req.hj` without adding a property to the request. Express gives every
 * request its app's prototype, and V8 then builds a new hidden class, copying
 * its property descriptors, for each property added to a request: measured with
 * callgrind, `req.hj = …` cost about 13,000 instructions a request (V8's
 * `MigrateToMap` and `DescriptorArray::CopyFrom`), plus the garbage of those classes. So `hj` is an accessor on Express's own
 * request prototype, defined once (as Express defines `req.ip` and
 * `req.fresh`), over a WeakMap keyed by the request. A request not made by
 * Express (a test's plain object) gets an ordinary property.
 */
export function setRequestState(req: object, state: unknown): void {
  const prototype = Object.getPrototypeOf(req) as object | null;
  if (prototype !== lastPrototype) {
    if (prototype === null || !prepare(req)) {
      (req as { hj?: unknown }).hj = state;
      return;
    }
    lastPrototype = prototype;
  }
  values.set(req, state);
}
