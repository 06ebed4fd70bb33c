import type { ConsoleOption } from "../console/mount-console.js";
import type { PasswordHashingOptions } from "../crypto/passwords.js";
import type { LimitsOptions } from "../limits/limits-options.js";

// The options of createServer(), their defaults and their checks. Nothing here opens anything.

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** `sqlite::memory:`, `sqlite:./file.db`, a file path, or `postgres://…`. Default `sqlite::memory:`. */
  databaseUrl?: string;
  /** 32 bytes as 64 hex characters or base64: encrypts signing keys at rest and signs cursors. */
  masterKey: string;
  /** The origin clients use to reach this server; token `iss` is `${publicUrl}/v1/tenants/${tenantId}`. Default: the listening address. */
  publicUrl?: string;
  /**
   * Argon2id cost. Default: OWASP's (m = 19 MiB, t = 2, p = 1). `"unsafe-test-only"`
   * makes hashing fast and weak, for test suites only.
   */
  passwordHashing?: PasswordHashingOptions | "unsafe-test-only";
  /** Fastify logger: `false` (default), `true`, or pino options. Authorization headers are never logged. */
  logger?: boolean | Record<string, unknown>;
  /**
   * Whether the client IP (audit events, sign-in throttling) comes from `X-Forwarded-For`.
   * Default `false`: the socket's address. `true` trusts one proxy hop (the address your
   * proxy saw); a number trusts that many hops; a string lists the proxies' addresses or
   * CIDRs (comma-separated). Set it only behind a proxy that sets the header: otherwise
   * clients choose their own IP and escape per-IP limits.
   */
  trustProxy?: boolean | number | string;
  /**
   * `redis://…`: every limit is shared by all instances through this Redis. Without it,
   * limits live in each instance's memory. If Redis becomes unreachable the server keeps
   * serving: sign-in limits fall back to memory, admin API limits let calls through.
   */
  redisUrl?: string;
  /** Prefix of every Redis key the limits write. Default `hellojohn:`. */
  redisKeyPrefix?: string;
  /** Sign-in throttling, admin API rate limits and password hashing admission control. */
  limits?: LimitsOptions;
  /** Largest accepted request body in bytes. Default 64 KiB. */
  bodyLimit?: number;
  /** How long a client may take to send a request's headers, in ms. Default 10 s. */
  headersTimeoutMs?: number;
  /** How long a client may take to send a whole request, headers and body, in ms. Default 30 s. */
  requestTimeoutMs?: number;
  /** A socket with no traffic for this long is closed, in ms. Default 60 s. */
  idleTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open between requests, in ms. Default 72 s (longer than common load balancers' 60 s). */
  keepAliveTimeoutMs?: number;
  /** Most open connections at once; more are refused at accept. Default 10,000. */
  maxConnections?: number;
  /** How often expired sessions, refresh tokens and idempotency records are deleted, in ms. Default 10 minutes. */
  sweepIntervalMs?: number;
  /**
   * Serve the admin console at `/console` (sign-in by `hellojohn-server console`
   * login links). `true` for the defaults, or timings in ms: `loginLinkTtlMs`
   * (10 min), `idleTimeoutMs` (30 min), `maxAgeMs` (12 h). Default off; `dev` turns it on.
   */
  console?: ConsoleOption;
  /** Webhook delivery settings. */
  webhooks?: WebhookOptions;
  /** Events feed settings. */
  events?: EventOptions;
}

/** Options of the events feed. */
export interface EventOptions {
  /** How long events (and their webhook deliveries) are kept, in days. Default 30. */
  retentionDays?: number;
  /**
   * Write events at all. Default true. Turning it off leaves the feed and
   * webhooks silent; it exists so benchmarks can measure the outbox's cost.
   */
  enabled?: boolean;
}

/** Options of webhook delivery. */
export interface WebhookOptions {
  /**
   * Allow endpoint URLs that resolve to loopback, private or link-local
   * addresses. Default false (`hellojohn-server start`); `dev` and
   * `startTestServer()` allow them so local apps can receive events.
   */
  allowPrivateNetworks?: boolean;
  /**
   * Milliseconds to wait before each attempt after the previous one; the first
   * entry is the first attempt (normally 0). Default: 0, 5 s, 5 min, 30 min,
   * 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about three days). A delivery whose every
   * attempt fails, with no other delivery to its endpoint succeeding
   * meanwhile, disables the endpoint.
   */
  retrySchedule?: readonly number[];
  /** Milliseconds one attempt may take. Default 10 000. */
  timeoutMs?: number;
  /** Endpoints this instance delivers to at once. Default 10. */
  concurrency?: number;
  /** How often to look for due deliveries (retries, other instances' events), in ms. Default 1000. */
  pollIntervalMs?: number;
  /** Run the delivery worker in this process. Default true. */
  deliver?: boolean;
}

/** The defaults of {@link ServerOptions}' connection limits. */
export const CONNECTION_DEFAULTS: Readonly<Record<"bodyLimit" | "headersTimeoutMs" | "requestTimeoutMs" | "idleTimeoutMs" | "keepAliveTimeoutMs" | "maxConnections", number>> = {
  bodyLimit: 64 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  maxConnections: 10_000,
};

/** The connection limits `options` sets, checked; the rest comes from {@link CONNECTION_DEFAULTS}. */
export function connectionLimits(options: ServerOptions): Record<keyof typeof CONNECTION_DEFAULTS, number> {
  return { ...CONNECTION_DEFAULTS, ...definedOnly(options) };
}

function definedOnly(options: ServerOptions): Partial<Record<keyof typeof CONNECTION_DEFAULTS, number>> {
  const keys = Object.keys(CONNECTION_DEFAULTS) as (keyof typeof CONNECTION_DEFAULTS)[];
  const out: Partial<Record<keyof typeof CONNECTION_DEFAULTS, number>> = {};
  for (const key of keys) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) throw new Error(`createServer: ${key} must be a positive integer, got ${String(value)}`);
    out[key] = value;
  }
  return out;
}

/**
 * Fastify's `trustProxy` for ours. `true` means one hop, not every hop: trusting
 * every hop would let a client pick its own IP by sending the header itself.
 */
export function trustedProxies(option: ServerOptions["trustProxy"]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (option === undefined || option === false) return false;
  const hops = option === true ? 1 : option;
  if (typeof hops === "number") return (_address, hop) => hop < hops;
  return hops
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
}
