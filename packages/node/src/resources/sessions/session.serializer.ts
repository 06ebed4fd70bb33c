import { requireNonEmpty } from "../../core/path.js";
import { mapsEveryKey, wireDate, wireNullableDate, type Wire } from "../../core/wire.js";
import { deserializeUser } from "../users/user.serializer.js";
import type { RefreshParams, SessionStatus, SessionTokens, SignInResult, SignInWithPasswordParams, SignOutResult } from "./sessions.interface.js";

/** The options sign-in and refresh share: each is checked and named as the caller wrote it. */
function parties(params: SignInWithPasswordParams | RefreshParams): Pick<Wire<"SignInRequest">, "audience" | "authorized_party" | "organization_id"> {
  const body: Pick<Wire<"SignInRequest">, "audience" | "authorized_party" | "organization_id"> = {};
  if (params.audience !== undefined) body.audience = requireNonEmpty(params.audience, "audience");
  if (params.authorizedParty !== undefined) body.authorized_party = requireNonEmpty(params.authorizedParty, "authorizedParty");
  if (params.organizationId !== undefined) body.organization_id = requireNonEmpty(params.organizationId, "organizationId");
  return body;
}

export function serializeSignIn(params: SignInWithPasswordParams): Wire<"SignInRequest"> {
  const credentials = { email: requireNonEmpty(params?.email, "email"), password: requireNonEmpty(params?.password, "password") };
  return { ...credentials, ...parties(params) };
}

export function serializeRefresh(params: RefreshParams): Wire<"RefreshRequest"> {
  return { refresh_token: requireNonEmpty(params.refreshToken, "refreshToken"), ...parties(params) };
}

export function serializeSignOut(refreshToken: string): Wire<"SignOutRequest"> {
  return { refresh_token: requireNonEmpty(refreshToken, "refreshToken") };
}

export function deserializeTokens(wire: Wire<"Tokens">): SessionTokens {
  const { token_type: _bearer, access_token, expires_at, refresh_token, session_id, user: _user, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return { accessToken: access_token, expiresAt: wireDate(expires_at), refreshToken: refresh_token, sessionId: session_id };
}

export function deserializeSignIn(wire: Wire<"Tokens">): SignInResult {
  if (wire.user === undefined) throw new TypeError("Sign-in response carried no user");
  return { ...deserializeTokens(wire), user: deserializeUser(wire.user) };
}

export function deserializeSessionStatus(wire: Wire<"SessionStatus">): SessionStatus {
  const { id, user_id, status, expires_at, revoked_at, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return { id, userId: user_id, status, expiresAt: wireDate(expires_at), revokedAt: wireNullableDate(revoked_at) };
}

export function deserializeSignOut(wire: Wire<"SignedOut">): SignOutResult {
  const { session_id, revoked, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return { sessionId: session_id, revoked };
}
