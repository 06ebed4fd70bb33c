import type { HelloJohn, HelloJohnOptions, HelloJohnRequestState } from "@hellojohn/node";

/**
 * Options of the {@link hellojohn} plugin: the client's options, or an existing client.
 * `logLevel` is Fastify's own register option (the plugin's log level), so to set the
 * SDK's, pass a `client` created with it.
 */
export interface HelloJohnFastifyOptions extends Omit<HelloJohnOptions, "logLevel"> {
  /** Use this client instead of creating one. */
  client?: HelloJohn;
  /** Also read the session token from this cookie. Default: only `Authorization: Bearer`. */
  cookieName?: string;
  /** The hook that verifies the session: `onRequest` (default, before the body is read) or `preHandler`. */
  hook?: "onRequest" | "preHandler";
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

declare module "fastify" {
  interface FastifyInstance {
    /** The HelloJohn client, set by `fastify.register(hellojohn)`. */
    hj: HelloJohn;
  }
  interface FastifyRequest {
    /** Set for every request by `fastify.register(hellojohn)`. */
    hj: HelloJohnRequestState;
  }
}
