import { IncomingMessage } from "node:http";
import { RequestState } from "@hellojohn/node";

const values = new WeakMap<object, unknown>();
/** Express's own request prototypes (one per copy of Express) that carry the `hj` accessor. */
const prepared = new WeakSet<object>();
/** The app request prototype (`app.request`) last seen on a request whose `hj` is the accessor: the common case is one app. */
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
 * True when `req.hj` of this request is the accessor over `values`: its
 * prototype is the one last prepared (one comparison), or one whose Express
 * prototype was prepared (a sub-app, another app of the same Express).
 */
function slotted(req: object): boolean {
  const prototype = Object.getPrototypeOf(req) as object | null;
  if (prototype === lastPrototype) return true;
  const base = expressRequestPrototype(req);
  return base !== null && prepared.has(base);
}

/**
 * Sets `req.hj` without adding a property to the request. Express gives every
 * request its app's prototype (`Object.setPrototypeOf`), after which V8 gives
 * each request a hidden class of its own: a property added to one costs a new
 * class, its descriptors copied (callgrind: `req.hj = …` cost about 13,000
 * instructions a request, in `MigrateToMap` and `DescriptorArray::CopyFrom`),
 * and every property read of a request misses V8's inline caches. So `hj` is
 * an accessor on Express's own request prototype, defined once (as Express
 * defines `req.ip` and `req.fresh`), over a WeakMap keyed by the request. A
 * request not made by Express (a test's plain object) gets an ordinary property.
 */
export function setRequestState(req: object, state: RequestState): void {
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

/**
 * The state `hellojohn()` attached to `req` (what `req.hj` returns), or
 * undefined. For an Express request it is read from the WeakMap directly, not
 * through `req.hj`: each request having its own hidden class, a property read
 * of one is an inline-cache miss, the accessor's found by walking three
 * prototypes (~0.7 µs here), and the middleware and `requireAuth()` each read
 * it on every request.
 */
export function requestStateOf(req: object): RequestState | undefined {
  if (!slotted(req)) return RequestState.of(req);
  const state = values.get(req);
  return state instanceof RequestState ? state : undefined;
}
