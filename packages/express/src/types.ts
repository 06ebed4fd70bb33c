import type { HelloJohn, HelloJohnOptions, Organizations, Users, VerifiedToken } from "@hellojohn/node";

/** What `req.hj` holds: the shared client's namespaces and the request's verified session. */
export interface HelloJohnRequestState {
  /** The shared client (one per middleware, not per request). */
  readonly client: HelloJohn;
  /** `req.hj.users.get(…)` and the rest of the users API. */
  readonly users: Users;
  /** `req.hj.organizations.*`. */
  readonly organizations: Organizations;
  /** The verified session of this request, or `null` when there is no valid token. */
  readonly auth: VerifiedToken | null;
}

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
}

declare global {
  namespace Express {
    interface Request {
      /** Set by `app.use(hellojohn())`. */
      hj: HelloJohnRequestState;
    }
  }
}
