import type { HttpClient } from "../../core/http-client.js";
import { pathId } from "../../core/path.js";
import type { RequestOptions } from "../../core/request-options.js";
import type { RefreshParams, SessionStatus, SessionTokens, SignInResult, SignInWithPasswordParams, SignOutResult } from "./sessions.interface.js";
import { deserializeSessionStatus, deserializeSignIn, deserializeSignOut, deserializeTokens, serializeRefresh, serializeSignIn, serializeSignOut } from "./session.serializer.js";

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
    return this.#http.request({ method: "POST", path: `${this.#base}/sign-in`, body: serializeSignIn(params) }, options, deserializeSignIn);
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
    return this.#http.request({ method: "POST", path: `${this.#base}/refresh`, body: serializeRefresh(params) }, options, deserializeTokens);
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
    return this.#http.request({ method: "POST", path: `${this.#base}/sign-out`, body: serializeSignOut(refreshToken) }, options, deserializeSignOut);
  }
}
