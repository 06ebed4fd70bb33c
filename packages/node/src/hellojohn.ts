import { resolveOptions, type HelloJohnOptions } from "./core/client-options.js";
import { HttpClient } from "./core/http-client.js";
import type { LevelLogger } from "./core/logger.js";
import { Sessions } from "./resources/sessions/sessions.js";
import { Organizations } from "./resources/organizations/organizations.js";
import { Users } from "./resources/users/users.js";
import { Events } from "./resources/events/events.js";
import { Webhooks } from "./resources/webhooks/webhooks.js";
import { TokenVerifier } from "./tokens/token-verifier.js";
import type { VerifiedToken, VerifyTokenOptions } from "./tokens/verify-token.interface.js";

const INSPECT = Symbol.for("nodejs.util.inspect.custom");
const CLIENT_BRAND = Symbol.for("hellojohn.client");

/**
 * True for a `HelloJohn` client, even one made by another copy of this package
 * (an ESM and a CJS copy, or two installs), where `instanceof` would say no.
 */
export function isHelloJohnClient(value: unknown): value is HelloJohn {
  return value instanceof HelloJohn || (typeof value === "object" && value !== null && CLIENT_BRAND in value);
}

// Lets this package's request adapters reach a client's verifier without widening the public API.
const verifiers = new WeakMap<HelloJohn, TokenVerifier>();

const loggers = new WeakMap<HelloJohn, LevelLogger>();

/** @internal The logger of `client` (its `logger` at its `logLevel`), when `client` was made by this copy of the package. */
export function loggerOf(client: HelloJohn): LevelLogger | undefined {
  return loggers.get(client);
}

/** @internal The token verifier of `client`, when `client` was made by this copy of the package. */
export function verifierOf(client: HelloJohn): TokenVerifier | undefined {
  return verifiers.get(client);
}

/**
 * The HelloJohn server-side client. Create one per process and share it: it
 * keeps connections alive and caches the tenant's signing keys.
 *
 * @example
 * ```ts
 * import { HelloJohn } from "@hellojohn/node";
 *
 * const hj = new HelloJohn({
 *   tenantId: process.env.HELLOJOHN_TENANT_ID!,
 *   secretKey: process.env.HELLOJOHN_SECRET_KEY!,
 * });
 * const user = await hj.users.get("usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3");
 * ```
 */
export class HelloJohn {
  /** Your tenant's ID. */
  readonly tenantId: string;
  /** The API origin this client talks to. */
  readonly baseUrl: string;
  /** Manage users: get, list, create, update, disable, enable, delete, impersonate, export. */
  readonly users: Users;
  /** Manage organizations and their members. */
  readonly organizations: Organizations;
  /** End-user sessions: password sign-in, refresh, sign-out and status. */
  readonly sessions: Sessions;
  /** The feed of every change, oldest first in commit order, resumable from any event ID. */
  readonly events: Events;
  /** Webhook endpoints, their deliveries, and `verify` for what arrives at yours. */
  readonly webhooks: Webhooks;
  readonly #verifier: TokenVerifier;

  /**
   * @param options Falls back to `HELLOJOHN_TENANT_ID`, `HELLOJOHN_SECRET_KEY`
   * and `HELLOJOHN_API_URL`. Throws a `ConfigurationError` naming any missing
   * or malformed option.
   */
  constructor(options?: HelloJohnOptions) {
    const resolved = resolveOptions(options);
    const http = new HttpClient(resolved);
    this.tenantId = resolved.tenantId;
    this.baseUrl = resolved.baseUrl;
    this.users = new Users(http);
    this.organizations = new Organizations(http);
    this.sessions = new Sessions(http, resolved.tenantId);
    this.events = new Events(http);
    this.webhooks = new Webhooks(http);
    this.#verifier = new TokenVerifier({
      http,
      sessionStatus: (sessionId) => this.sessions.get(sessionId),
      tenantId: resolved.tenantId,
      issuer: resolved.issuer,
      fallbackIssuer: resolved.fallbackIssuer,
      clockTolerance: resolved.clockTolerance,
      audience: resolved.audience,
      authorizedParties: resolved.authorizedParties,
    });
    verifiers.set(this, this.#verifier);
    loggers.set(this, http.logger);
    Object.defineProperty(this, CLIENT_BRAND, { value: true });
  }

  /**
   * Verifies a HelloJohn access token and returns who it is for. Signing keys
   * are fetched once and cached; verified tokens are remembered until expiry.
   *
   * @throws {TokenVerificationError} with `code` `expired`, `malformed`,
   * `invalid_signature`, `wrong_tenant`, `revoked`, …
   * @example
   * ```ts
   * const session = await hj.verifyToken(bearer, { checkRevoked: true });
   * console.log(session.userId, session.impersonator?.reason);
   * ```
   */
  verifyToken(token: string, options?: VerifyTokenOptions): Promise<VerifiedToken> {
    return this.#verifier.verify(token, options);
  }

  /** Serializes without the secret key. */
  toJSON(): { tenantId: string; baseUrl: string } {
    return { tenantId: this.tenantId, baseUrl: this.baseUrl };
  }

  /** What `console.log(hj)` shows: never the secret key. */
  [INSPECT](): string {
    return `HelloJohn { tenantId: '${this.tenantId}', baseUrl: '${this.baseUrl}' }`;
  }
}
