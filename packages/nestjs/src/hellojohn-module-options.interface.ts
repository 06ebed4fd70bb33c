import type { AdapterOptions } from "@hellojohn/node";

/** Options of `HelloJohnModule.forRoot()` / `forRootAsync()`. */
export interface HelloJohnModuleOptions extends AdapterOptions {
  /** Make `HelloJohnGuard` also ask HelloJohn whether each session was revoked. Default false. */
  checkRevoked?: boolean | undefined;
  /**
   * Required `aud` of every token `HelloJohnGuard` admits (one of these); also
   * the created client's `audience`. Applies to a given `client` too.
   */
  audience?: string | string[] | undefined;
  /**
   * Allowed `azp` of every token `HelloJohnGuard` admits, with Clerk's meaning
   * (a token without `azp` passes); also the created client's. Applies to a given `client` too.
   */
  authorizedParties?: string[] | undefined;
}
