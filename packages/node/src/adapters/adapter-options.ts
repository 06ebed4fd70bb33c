import { HELLOJOHN_OPTION_NAMES, type HelloJohnOptions } from "../core/client-options.js";
import { assertKnownOptions } from "../core/known-options.js";
import { HelloJohn, isHelloJohnClient } from "../hellojohn.js";

/** What every adapter's setup (`hellojohn()`, the Fastify plugin, `HelloJohnModule`) takes. */
export interface AdapterOptions extends HelloJohnOptions {
  /** Use this client instead of creating one (its options then win). */
  client?: HelloJohn | undefined;
  /** Also read the session token from this cookie. Default: only `Authorization: Bearer`. */
  cookieName?: string | undefined;
}

/** How an adapter's setup options are read: see {@link resolveAdapterOptions}. */
export interface AdapterOptionNames<Own extends string> {
  /** The adapter's own options, besides `client` and `cookieName`; returned in `own`, not given to the client. */
  own?: readonly Own[] | undefined;
  /** Names the framework itself passes along (e.g. Fastify's `prefix`); accepted, and given to no one. */
  ignored?: readonly string[] | undefined;
}

/** The checked setup of an adapter: its client, the cookie to read, and its own options. */
export interface ResolvedAdapterOptions<Own extends string> {
  client: HelloJohn;
  cookieName: string | undefined;
  own: Partial<Record<Own, unknown>>;
}

/**
 * Checks an adapter's setup options once, at startup, the same way in every
 * adapter: an unknown name is a `ConfigurationError` with a suggestion,
 * `cookieName` must be a non-empty string and `client` a HelloJohn client;
 * without `client`, one is created from the rest (with the `HELLOJOHN_*`
 * environment fallbacks of `new HelloJohn()`). `where` names the adapter in
 * errors, e.g. `hellojohn()`.
 *
 * @example
 * ```ts
 * const { client, cookieName, own } = resolveAdapterOptions("hellojohn()", options, { own: ["hook"] });
 * ```
 */
export function resolveAdapterOptions<Own extends string = never>(where: string, options: object, names: AdapterOptionNames<Own> = {}): ResolvedAdapterOptions<Own> {
  const own: readonly string[] = names.own ?? [];
  const ignored: readonly string[] = names.ignored ?? [];
  const clientNames = HELLOJOHN_OPTION_NAMES.filter((name) => !ignored.includes(name));
  assertKnownOptions(where, options, [...clientNames, "client", "cookieName", ...own, ...ignored]);
  const clientOptions: Record<string, unknown> = {};
  const ownValues: Partial<Record<Own, unknown>> = {};
  for (const [name, value] of Object.entries(options)) {
    if (own.includes(name)) ownValues[name as Own] = value;
    else if ((clientNames as readonly string[]).includes(name)) clientOptions[name] = value;
  }
  const { client: given, cookieName } = options as AdapterOptions;
  if (cookieName !== undefined && (typeof cookieName !== "string" || cookieName === "")) {
    throw new TypeError(`${where} option "cookieName" must be a non-empty string`);
  }
  if (given !== undefined && !isHelloJohnClient(given)) throw new TypeError(`${where} option "client" must be a HelloJohn instance`);
  return { client: given ?? new HelloJohn(clientOptions as HelloJohnOptions), cookieName, own: ownValues };
}
