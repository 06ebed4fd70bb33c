import type { HelloJohn, HelloJohnOptions, HelloJohnRequestState } from "@hellojohn/node";

/** Options of {@link hellojohn}: the client's options, or an existing client. */
export interface HelloJohnExpressOptions extends HelloJohnOptions {
  /** Use this client instead of creating one (its options then win). */
  client?: HelloJohn;
  /** Also read the session token from this cookie. Default: only `Authorization: Bearer`. */
  cookieName?: string;
}

/** Options of {@link requireAuth}. */
export interface RequireAuthOptions {
  /** Also ask HelloJohn whether the session was revoked (one API call per request). */
  checkRevoked?: boolean;
  /**
   * Required `aud` of the token (one of these), on top of the client's
   * `audience` option. Tokens carry `aud` when sign-in asked for one.
   */
  audience?: string | string[];
  /**
   * Allowed `azp` (the origin the token was issued to), on top of the
   * client's `authorizedParties` option; a token without `azp` passes (as in Clerk).
   */
  authorizedParties?: string[];
  /**
   * Also require this role (or any of these roles) in the session's active
   * organization (the token's `org_role`); otherwise answer 403 `insufficient_role`.
   */
  role?: string | readonly string[];
}

declare global {
  namespace Express {
    interface Request {
      /** Set by `app.use(hellojohn())`. */
      hj: HelloJohnRequestState;
    }
  }
}
