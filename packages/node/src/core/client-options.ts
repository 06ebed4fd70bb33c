import { ConfigurationError } from "./errors.js";
import { assertKnownOptions } from "./known-options.js";
import { LOG_LEVELS, type Logger, type LogLevel } from "./logger.js";

/** The subset of the WHATWG `fetch` signature the SDK calls. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/**
 * Options for {@link HelloJohn}. Every field is optional: `tenantId`,
 * `secretKey` and `baseUrl` fall back to `HELLOJOHN_TENANT_ID`,
 * `HELLOJOHN_SECRET_KEY` and `HELLOJOHN_API_URL`.
 */
export interface HelloJohnOptions {
  /** Your tenant's ID, `ten_…`. Env: `HELLOJOHN_TENANT_ID`. */
  tenantId?: string | undefined;
  /** A secret API key, `sk_…`. Never logged or serialized. Env: `HELLOJOHN_SECRET_KEY`. */
  secretKey?: string | undefined;
  /** The API origin. Env: `HELLOJOHN_API_URL`. Default `https://api.hellojohn.dev`. */
  baseUrl?: string | undefined;
  /** Milliseconds one attempt may take, headers and body. Default 30 000. */
  timeout?: number | undefined;
  /** Retries after the first attempt for retryable failures. Default 2. */
  maxRetries?: number | undefined;
  /** A `fetch` implementation, e.g. for proxies or tests. Default: global `fetch`. */
  fetch?: FetchLike | undefined;
  /** Where log lines go. Default: `console`. */
  logger?: Logger | undefined;
  /** The quietest level that is logged. Default `warn`. */
  logLevel?: LogLevel | undefined;
  /**
   * Expected `iss` of access tokens. Default: the `issuer` of the tenant's
   * OpenID discovery document on `baseUrl`, fetched once with the signing keys.
   */
  issuer?: string | undefined;
  /**
   * Required `aud` of every verified token (one of these values), for
   * `verifyToken` and every adapter using this client. Default: not checked.
   */
  audience?: string | string[] | undefined;
  /**
   * Allowed `azp` (authorized party: the origin the token was issued to) of
   * every verified token, with Clerk's meaning: a token without `azp` passes.
   * Default: not checked. Example: `["https://app.example.com"]`.
   */
  authorizedParties?: string[] | undefined;
  /** Seconds of clock skew tolerated for `exp` and `nbf`. Default 5. */
  clockTolerance?: number | undefined;
}

/**
 * Every option name {@link HelloJohnOptions} has. Unknown names are refused
 * with a suggestion; the type below fails to compile when an option is added
 * to the interface but not here.
 */
export const HELLOJOHN_OPTION_NAMES = [
  "tenantId",
  "secretKey",
  "baseUrl",
  "timeout",
  "maxRetries",
  "fetch",
  "logger",
  "logLevel",
  "issuer",
  "audience",
  "authorizedParties",
  "clockTolerance",
] as const satisfies readonly (keyof HelloJohnOptions)[];
type MustBeNever<T extends never> = T;
// A compile error here names an option of HelloJohnOptions missing from the list above.
type _UnlistedHelloJohnOption = MustBeNever<Exclude<keyof HelloJohnOptions, (typeof HELLOJOHN_OPTION_NAMES)[number]>>;

/** Where the API origin came from: connection errors say so, to tell how to change it. */
export type BaseUrlSource = "option" | "HELLOJOHN_API_URL" | "default";

/** {@link HelloJohnOptions} after defaults, environment and validation. */
export interface ResolvedOptions {
  tenantId: string;
  secretKey: string;
  baseUrl: string;
  baseUrlSource: BaseUrlSource;
  timeout: number;
  maxRetries: number;
  fetch: FetchLike;
  logger: Logger;
  logLevel: LogLevel;
  /** The `issuer` option; undefined means "discover it". */
  issuer: string | undefined;
  /** The issuer guessed from `baseUrl`, used if the server publishes no discovery document. */
  fallbackIssuer: string;
  clockTolerance: number;
  audience: string | string[] | undefined;
  authorizedParties: string[] | undefined;
}

export const DEFAULT_BASE_URL = "https://api.hellojohn.dev";
const TENANT_ID = /^ten_[0-9A-HJKMNP-TV-Z]{26}$/;
const SECRET_KEY = /^sk_[0-9A-HJKMNP-TV-Z]{26}_[A-Za-z0-9_-]{20,}$/;

/**
 * An environment variable, where the runtime has one and lets us read it (Deno
 * without `--allow-env` throws; a worker has no `process`): read only when an
 * option is missing.
 */
function env(name: string): string | undefined {
  let value: string | undefined;
  try {
    value = typeof process === "undefined" ? undefined : process.env[name];
  } catch {
    return undefined;
  }
  return value === undefined || value === "" ? undefined : value;
}

function nonNegativeInteger(value: unknown, name: string, fallback: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > max) {
    throw new ConfigurationError(`HelloJohn option "${name}" must be an integer from 0 to ${max}`, name);
  }
  return value;
}

/** A non-empty string, or a non-empty array of non-empty strings (`single`: a lone string is allowed too). */
function stringList(value: unknown, name: string, single: boolean): string | string[] | undefined {
  if (value === undefined) return undefined;
  if (single && typeof value === "string" && value !== "") return value;
  if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === "string" && v !== "")) return [...(value as string[])];
  throw new ConfigurationError(`HelloJohn option "${name}" must be ${single ? "a non-empty string or " : ""}a non-empty array of non-empty strings`, name);
}

/** Resolves options against the environment; throws a {@link ConfigurationError} naming what is wrong. */
export function resolveOptions(options: HelloJohnOptions = {}): ResolvedOptions {
  if (typeof options !== "object" || options === null) {
    throw new ConfigurationError("HelloJohn options must be an object", "options");
  }
  // Before anything else: `{ tenantID }` is a typo to point at, not a missing tenant ID.
  assertKnownOptions("new HelloJohn()", options, HELLOJOHN_OPTION_NAMES);
  const tenantId = options.tenantId ?? env("HELLOJOHN_TENANT_ID");
  if (tenantId === undefined) {
    throw new ConfigurationError("Missing tenant ID: pass { tenantId } or set the HELLOJOHN_TENANT_ID environment variable", "tenantId");
  }
  if (typeof tenantId !== "string" || !TENANT_ID.test(tenantId)) {
    throw new ConfigurationError(
      `HelloJohn option "tenantId" is malformed: expected "ten_" followed by 26 characters, got ${JSON.stringify(String(tenantId).slice(0, 40))}`,
      "tenantId",
    );
  }
  const secretKey = options.secretKey ?? env("HELLOJOHN_SECRET_KEY");
  if (secretKey === undefined) {
    throw new ConfigurationError("Missing secret key: pass { secretKey } or set the HELLOJOHN_SECRET_KEY environment variable", "secretKey");
  }
  if (typeof secretKey !== "string" || !SECRET_KEY.test(secretKey)) {
    // Never echo the value: a malformed key may still be a real secret.
    throw new ConfigurationError('HelloJohn option "secretKey" is malformed: expected a secret key starting with "sk_"', "secretKey");
  }
  const envBaseUrl = options.baseUrl === undefined ? env("HELLOJOHN_API_URL") : undefined;
  const baseUrlSource: BaseUrlSource = options.baseUrl !== undefined ? "option" : envBaseUrl !== undefined ? "HELLOJOHN_API_URL" : "default";
  const rawBaseUrl = options.baseUrl ?? envBaseUrl ?? DEFAULT_BASE_URL;
  let baseUrl: string;
  try {
    const url = new URL(rawBaseUrl);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("protocol");
    baseUrl = url.href.replace(/\/+$/, "");
  } catch {
    throw new ConfigurationError(`HelloJohn option "baseUrl" (or HELLOJOHN_API_URL) must be an http(s) URL, got ${JSON.stringify(String(rawBaseUrl))}`, "baseUrl");
  }
  const logLevel = options.logLevel ?? "warn";
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigurationError(`HelloJohn option "logLevel" must be one of ${LOG_LEVELS.join(", ")}`, "logLevel");
  }
  // Bound: workerd throws "Illegal invocation" for a global fetch called as a method of another object.
  const fetchImpl = options.fetch ?? (typeof globalThis.fetch === "function" ? globalThis.fetch.bind(globalThis) : undefined);
  if (typeof fetchImpl !== "function") {
    throw new ConfigurationError('HelloJohn option "fetch" must be a function (no global fetch found)', "fetch");
  }
  const logger = options.logger ?? console;
  if (typeof logger !== "object" || logger === null || typeof logger.warn !== "function") {
    throw new ConfigurationError('HelloJohn option "logger" must have debug/info/warn/error methods', "logger");
  }
  const timeout = nonNegativeInteger(options.timeout, "timeout", 30_000, 600_000);
  if (timeout === 0) throw new ConfigurationError('HelloJohn option "timeout" must be at least 1 ms', "timeout");
  const issuer = options.issuer;
  if (issuer !== undefined && (typeof issuer !== "string" || issuer === "")) {
    throw new ConfigurationError('HelloJohn option "issuer" must be a non-empty string', "issuer");
  }
  const audience = stringList(options.audience, "audience", true);
  const authorizedParties = stringList(options.authorizedParties, "authorizedParties", false);
  return {
    tenantId,
    secretKey,
    baseUrl,
    baseUrlSource,
    timeout,
    maxRetries: nonNegativeInteger(options.maxRetries, "maxRetries", 2, 10),
    fetch: fetchImpl,
    logger,
    logLevel,
    issuer,
    fallbackIssuer: `${baseUrl}/v1/tenants/${tenantId}`,
    clockTolerance: nonNegativeInteger(options.clockTolerance, "clockTolerance", 5, 300),
    audience,
    authorizedParties: authorizedParties as string[] | undefined,
  };
}
