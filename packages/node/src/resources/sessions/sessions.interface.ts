import type { User } from "../users/users.interface.js";

/** Credentials for {@link Sessions.signInWithPassword}. */
export interface SignInWithPasswordParams {
  email: string;
  password: string;
  /**
   * Put this `aud` claim in the access token: the API it is meant for. Check it
   * with the client's (or `requireAuth`'s, or the guard's) `audience` option.
   */
  audience?: string | undefined;
  /**
   * Put this `azp` claim in the access token: the origin of the app it was
   * issued to (e.g. the browser's `Origin` header). Check it with the
   * `authorizedParties` option.
   */
  authorizedParty?: string | undefined;
  /**
   * Open the session in this organization (`org_…`): its access tokens carry
   * `org_id` and the user's `org_role` there. A user who is not a member gets a
   * `PermissionError` `not_a_member`.
   */
  organizationId?: string | undefined;
}

/**
 * What {@link Sessions.refresh} takes besides the refresh token. Refreshed
 * access tokens carry `aud` and `azp` only when asked again.
 */
export interface RefreshParams {
  refreshToken: string;
  /** As in {@link SignInWithPasswordParams.audience}. */
  audience?: string | undefined;
  /** As in {@link SignInWithPasswordParams.authorizedParty}. */
  authorizedParty?: string | undefined;
  /** Switch the session's active organization; the user must be a member. Default: keep it. */
  organizationId?: string | undefined;
}

/** A session's tokens. The access token is short-lived (15 minutes); refresh it with the refresh token. */
export interface SessionTokens {
  accessToken: string;
  expiresAt: Date;
  /** Single use: each refresh returns a new one, and reusing an old one revokes the session. */
  refreshToken: string;
  sessionId: string;
}

/** The result of a password sign-in: the tokens and the user. */
export interface SignInResult extends SessionTokens {
  user: User;
}

/** The result of {@link Sessions.signOut}. */
export interface SignOutResult {
  sessionId: string;
  revoked: true;
}

/** What {@link Sessions.get} reports. */
export interface SessionStatus {
  id: string;
  userId: string;
  status: "active" | "revoked" | "expired";
  expiresAt: Date;
  revokedAt: Date | null;
}
