import { deserializeUser, type WireUser } from "../users/user.serializer.js";
import type { SessionStatus, SessionTokens, SignInResult } from "./sessions.interface.js";

export interface WireTokens {
  token_type: "Bearer";
  access_token: string;
  expires_at: string;
  refresh_token: string;
  session_id: string;
  user?: WireUser;
}

export function deserializeTokens(wire: WireTokens): SessionTokens {
  return { accessToken: wire.access_token, expiresAt: new Date(wire.expires_at), refreshToken: wire.refresh_token, sessionId: wire.session_id };
}

export function deserializeSignIn(wire: WireTokens): SignInResult {
  if (wire.user === undefined) throw new TypeError("Sign-in response carried no user");
  return { ...deserializeTokens(wire), user: deserializeUser(wire.user) };
}

export interface WireSessionStatus {
  id: string;
  user_id: string;
  status: SessionStatus["status"];
  expires_at: string;
  revoked_at: string | null;
}

export function deserializeSessionStatus(wire: WireSessionStatus): SessionStatus {
  return {
    id: wire.id,
    userId: wire.user_id,
    status: wire.status,
    expiresAt: new Date(wire.expires_at),
    revokedAt: wire.revoked_at === null ? null : new Date(wire.revoked_at),
  };
}
