import type { HttpClient } from "../../core/http-client.js";
import { pathId, requireNonEmpty } from "../../core/path.js";
import type { RequestOptions } from "../../core/request-options.js";
import type { RefreshParams, SessionStatus, SessionTokens, SignInResult, SignInWithPasswordParams, SignOutResult } from "./sessions.interface.js";
import { deserializeSessionStatus, deserializeSignIn, deserializeTokens } from "./session.serializer.js";

/**
 * `hj.sessions`: end-user sessions, for backends that collect credentials
 * themselves (server-rendered sign-in forms, tests, scripts). Verify the
 * resulting access tokens with `hj.verifyToken`.
 */
export class Sessions {
  readonly #http: HttpClient;
  readonly #base: string;

  /** @internal */
  constructor(http: HttpClient, tenantId: string) {
    this.#http = http;
    this.#base = `/v1/tenants/${encodeURIComponent(tenantId)}/auth`;
  }

  /**
   * Signs a user in with email and password, creating a session.
   * @throws {AuthenticationError} `invalid_credentials` (the same for an unknown email and a wrong password).
   * @throws {PermissionError} `user_disabled`.
   * @example
   * ```ts
   * const { accessToken, refreshToken, user } = await hj.sessions.signInWithPassword({ email, password });
   * ```
   */
  async signInWithPassword(params: SignInWithPasswordParams, options?: RequestOptions): Promise<SignInResult> {
    const body: Record<string, unknown> = { email: requireNonEmpty(params?.email, "email"), password: requireNonEmpty(params?.password, "password") };
    addParties(body, params);
    if (params.organizationId !== undefined) body.organization_id = requireNonEmpty(params.organizationId, "organizationId");
    return this.#http.request({ method: "POST", path: `${this.#base}/sign-in`, body }, options, deserializeSignIn);
  }

  /**
   * Exchanges a refresh token for new tokens. Refresh tokens are single use.
   * The new access token carries the user's role in the session's organization
   * as it is now: a role change or a removal shows here, at the latest one
   * access-token lifetime (15 minutes) after it was made.
   * @example
   * ```ts
   * const tokens = await hj.sessions.refresh(session.refreshToken);
   * const inOtherOrg = await hj.sessions.refresh({ refreshToken: tokens.refreshToken, organizationId: "org_01J…" });
   * const forApi = await hj.sessions.refresh({ refreshToken: tokens.refreshToken, audience: "https://api.example.com" });
   * ```
   */
  async refresh(refreshToken: string | RefreshParams, options?: RequestOptions): Promise<SessionTokens> {
    const params: RefreshParams = typeof refreshToken === "object" && refreshToken !== null ? refreshToken : { refreshToken };
    const body: Record<string, unknown> = { refresh_token: requireNonEmpty(params.refreshToken, "refreshToken") };
    addParties(body, params);
    if (params.organizationId !== undefined) body.organization_id = requireNonEmpty(params.organizationId, "organizationId");
    return this.#http.request({ method: "POST", path: `${this.#base}/refresh`, body }, options, deserializeTokens);
  }

  /**
   * A session's status: `active`, `revoked` (disabled user, sign-out, refresh-token reuse) or `expired`.
   * This is the call `verifyToken(token, { checkRevoked: true })` makes.
   * @example
   * ```ts
   * const { status } = await hj.sessions.get(verified.sessionId);
   * ```
   */
  async get(sessionId: string, options?: RequestOptions): Promise<SessionStatus> {
    return this.#http.request({ method: "GET", path: `/v1/sessions/${pathId(sessionId, "sessionId")}` }, options, deserializeSessionStatus);
  }

  /**
   * Revokes the session of a refresh token.
   * @example
   * ```ts
   * await hj.sessions.signOut(session.refreshToken);
   * ```
   */
  async signOut(refreshToken: string, options?: RequestOptions): Promise<SignOutResult> {
    const body = { refresh_token: requireNonEmpty(refreshToken, "refreshToken") };
    const deserialize = (wire: { session_id: string; revoked: true }): SignOutResult => ({ sessionId: wire.session_id, revoked: wire.revoked });
    return this.#http.request({ method: "POST", path: `${this.#base}/sign-out`, body }, options, deserialize);
  }
}

function addParties(body: Record<string, unknown>, params: { audience?: string; authorizedParty?: string }): void {
  if (params.audience !== undefined) body.audience = requireNonEmpty(params.audience, "audience");
  if (params.authorizedParty !== undefined) body.authorized_party = requireNonEmpty(params.authorizedParty, "authorizedParty");
}
