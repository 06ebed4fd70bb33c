import { deserializeUser, type WireUser } from "../users/user.serializer.js";
import type { SessionTokens, SignInResult } from "./auth.interface.js";

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
