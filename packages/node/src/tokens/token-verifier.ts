import { TokenVerificationError } from "../core/errors.js";
import type { HttpClient } from "../core/http-client.js";
import { decodeJwt } from "./jwt.js";
import { IssuerDiscovery } from "./issuer-discovery.js";
import { JwksCache } from "./jwks-cache.js";
import { assertTokenParties } from "./token-parties.js";
import type { CheckAuthorizationParams, Impersonator, VerifiedToken, VerifyTokenOptions } from "./verify-token.interface.js";

/** How many verified tokens are remembered; a hit skips the signature check. */
const CACHE_SIZE = 10_000;
/** Each base64url character's 6 bits, by character code; anything else counts as 0. */
const BASE64URL = new Uint8Array(128);
for (const [i, c] of [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"].entries()) BASE64URL[c.charCodeAt(0)] = i;

/**
 * 30 bits of a token's signature (5 base64url characters before its last,
 * which carries only 2), as a small integer: a JavaScript Map hashes one for
 * free, while a string key, a fresh header string of 600 characters or more
 * on every request, is hashed character by character.
 */
function keyOf(token: string): number {
  const n = token.length;
  let key = 0;
  for (let i = n - 6; i < n - 1; i++) key = (key << 6) | (BASE64URL[token.charCodeAt(i)] ?? 0);
  return key;
}

/** A remembered token: what a lookup reads, in one object allocated with its own copy of the token. */
class RememberedToken {
  constructor(
    /** The token, as a flat string of its own (see {@link VerifiedTokens.set}). */
    readonly token: string,
    /** `exp`, in seconds since the epoch, kept here so that a lookup reads no claims. */
    readonly exp: number,
    readonly verified: VerifiedToken,
  ) {}
}

/**
 * Verified tokens by 30 bits of their signature, oldest first (evicted
 * first). A lookup happens on every request. The token is then compared in
 * full, so a token sharing the key is a miss (verified, then remembered in
 * the other's place), never another token's result.
 */
class VerifiedTokens {
  readonly #entries = new Map<number, RememberedToken>();

  /** The entry of `token` (compared in full), if remembered. */
  entry(token: string): RememberedToken | undefined {
    const entry = this.#entries.get(keyOf(token));
    return entry !== undefined && entry.token === token ? entry : undefined;
  }

  set(token: string, verified: VerifiedToken): void {
    const entries = this.#entries;
    const key = keyOf(token);
    // Re-inserted, so that it counts as the newest.
    entries.delete(key);
    if (entries.size >= CACHE_SIZE) entries.delete(entries.keys().next().value as number);
    // A copy of the token, not the request's string: that is a slice of the whole Authorization header, which it
    // would keep alive, and a lookup, comparing it in full on every request, would read one more object elsewhere in the heap.
    entries.set(key, new RememberedToken(JSON.parse(JSON.stringify(token)) as string, verified.claims.exp as number, verified));
  }

  delete(token: string): void {
    if (this.entry(token) !== undefined) this.#entries.delete(keyOf(token));
  }
}

interface TokenVerifierConfig {
  http: HttpClient;
  /** How a session's status is looked up for `checkRevoked`. */
  sessionStatus: (sessionId: string) => Promise<{ status: string }>;
  tenantId: string;
  /** The `issuer` option; undefined: read from the tenant's discovery document. */
  issuer: string | undefined;
  /** The issuer guessed from the base URL, for servers without a discovery document. */
  fallbackIssuer: string;
  clockTolerance: number;
  /** Client-wide defaults of {@link VerifyTokenOptions}. */
  audience: string | string[] | undefined;
  authorizedParties: string[] | undefined;
}

function fail(code: ConstructorParameters<typeof TokenVerificationError>[0], message: string): never {
  throw new TokenVerificationError(code, message);
}

/**
 * Verifies HelloJohn access tokens with Web Crypto only (every runtime): EdDSA
 * only, the tenant's JWKS, `iss` from the tenant's discovery document, `aud`
 * and `azp` when asked, `exp`/`nbf` with clock tolerance, the tenant claim, and
 * optionally the session's revocation status.
 */
export class TokenVerifier {
  readonly #config: TokenVerifierConfig;
  readonly #jwks: JwksCache;
  readonly #discovery: IssuerDiscovery;
  readonly #verified = new VerifiedTokens();

  constructor(config: TokenVerifierConfig) {
    this.#config = config;
    this.#jwks = new JwksCache(config.http, config.tenantId);
    this.#discovery = new IssuerDiscovery(config.http, config.tenantId, config.issuer, config.fallbackIssuer);
  }

  /**
   * The verified result of a token seen before, not yet expired and meeting
   * the audience and authorized parties, without any promise; else undefined
   * (then `verify` says why).
   */
  remembered(token: string, options: VerifyTokenOptions = {}): VerifiedToken | undefined {
    const entry = this.#verified.entry(token);
    if (entry === undefined || entry.exp + this.#config.clockTolerance <= Date.now() / 1000) return undefined;
    const cached = entry.verified;
    try {
      this.#checkParties(cached.claims, options);
    } catch {
      return undefined;
    }
    return cached;
  }

  /**
   * Not `async`: a remembered token (the common case: every request after a
   * session's first) resolves without extra promise hops, as adapters call
   * this on every request.
   */
  verify(token: string, options: VerifyTokenOptions = {}): Promise<VerifiedToken> {
    const entry = this.#verified.entry(token);
    if (entry === undefined) return this.#verifyAndRemember(token, options);
    const cached = entry.verified;
    try {
      if (entry.exp + this.#config.clockTolerance <= Date.now() / 1000) {
        this.#verified.delete(token);
        fail("expired", "Token has expired");
      }
      this.#checkParties(cached.claims, options);
    } catch (error) {
      return Promise.reject(error);
    }
    return options.checkRevoked === true ? this.#checkSession(cached.sessionId).then(() => cached) : Promise.resolve(cached);
  }

  async #verifyAndRemember(token: string, options: VerifyTokenOptions): Promise<VerifiedToken> {
    const result = await this.#verifySignedClaims(token, Date.now() / 1000);
    this.#verified.set(token, result);
    this.#checkParties(result.claims, options);
    if (options.checkRevoked === true) await this.#checkSession(result.sessionId);
    return result;
  }

  async #verifySignedClaims(token: string, now: number): Promise<VerifiedToken> {
    const { header, payload, signingInput, signature } = decodeJwt(token);
    if (header.alg !== "EdDSA") fail("unsupported_algorithm", `Token algorithm ${JSON.stringify(header.alg)} is not allowed; only EdDSA is`);
    if (typeof header.kid !== "string") fail("malformed", "Token header has no kid");
    // First sight of the tenant: the keys and the issuer are fetched together.
    const [key, issuer] = await Promise.all([this.#jwks.get(header.kid), this.#discovery.issuer()]);
    if (key === undefined) fail("unknown_key", "Token was signed by a key this tenant does not publish");
    if (!(await crypto.subtle.verify("Ed25519", key, signature, signingInput))) fail("invalid_signature", "Token signature is invalid");

    const { iss, sub, sid, tid, exp, nbf } = payload;
    if (typeof exp !== "number") fail("malformed", "Token has no numeric exp claim");
    if (exp + this.#config.clockTolerance <= now) fail("expired", "Token has expired");
    if (nbf !== undefined && (typeof nbf !== "number" || nbf - this.#config.clockTolerance > now)) {
      fail("not_yet_valid", "Token is not valid yet (nbf)");
    }
    if (tid !== this.#config.tenantId) fail("wrong_tenant", "Token was issued for another tenant");
    if (iss !== issuer) fail("invalid_issuer", `Token issuer ${JSON.stringify(iss)} is not ${JSON.stringify(issuer)}`);
    if (typeof sub !== "string" || typeof sid !== "string") fail("malformed", "Token lacks sub or sid claims");
    const { org_id: orgId, org_role: orgRole } = payload;
    if (orgId !== undefined && (typeof orgId !== "string" || typeof orgRole !== "string")) {
      fail("malformed", "Token's org_id and org_role claims must be strings, together");
    }
    const role = typeof orgRole === "string" && typeof orgId === "string" ? orgRole : null;
    return {
      userId: sub,
      sessionId: sid,
      tenantId: tid,
      expiresAt: new Date(exp * 1000),
      impersonator: readImpersonator(payload),
      orgId: typeof orgId === "string" ? orgId : null,
      orgRole: role,
      has: (params: CheckAuthorizationParams) => holdsRole(role, params),
      claims: Object.freeze(payload),
    };
  }

  /** `aud` and `azp` against the call's options, else the client's. */
  #checkParties(claims: Readonly<Record<string, unknown>>, options: VerifyTokenOptions): void {
    const audience = options.audience ?? this.#config.audience;
    const authorizedParties = options.authorizedParties ?? this.#config.authorizedParties;
    // Nothing to check is the common case, on the remembered-token path of every request: allocate nothing.
    if (audience !== undefined || authorizedParties !== undefined) assertTokenParties(claims, { audience, authorizedParties });
  }

  async #checkSession(sessionId: string): Promise<void> {
    const session = await this.#config.sessionStatus(sessionId).catch((error: unknown) => {
      if ((error as { status?: number }).status === 404) return { status: "deleted" };
      throw error;
    });
    if (session.status !== "active") fail("revoked", `Token's session is ${session.status}`);
  }
}

/** The check behind {@link VerifiedToken.has}; a malformed argument is a programming error, so it throws. */
export function holdsRole(orgRole: string | null, params: CheckAuthorizationParams): boolean {
  const role = (params as Partial<CheckAuthorizationParams> | undefined)?.role;
  if (typeof role === "string" && role !== "") return orgRole === role;
  if (Array.isArray(role) && role.length > 0 && role.every((r) => typeof r === "string" && r !== "")) {
    return orgRole !== null && role.includes(orgRole);
  }
  throw new TypeError('has() needs { role: "admin" } or { role: ["admin", "owner"] }: non-empty strings');
}

function readImpersonator(payload: Record<string, unknown>): Impersonator | null {
  const act = payload.act as { sub?: unknown } | undefined;
  if (typeof act !== "object" || act === null || typeof act.sub !== "string") return null;
  return { actorId: act.sub, reason: typeof payload.act_reason === "string" ? payload.act_reason : "" };
}
