import type { HelloJohn, HelloJohnOptions } from "@hellojohn/node";

/** Options of `HelloJohnModule.forRoot()` / `forRootAsync()`. */
export interface HelloJohnModuleOptions extends HelloJohnOptions {
  /** Use this client instead of creating one. */
  client?: HelloJohn;
  /** Also read the session token from this cookie. Default: only `Authorization: Bearer`. */
  cookieName?: string;
  /** Make `HelloJohnGuard` also ask HelloJohn whether each session was revoked. Default false. */
  checkRevoked?: boolean;
}
