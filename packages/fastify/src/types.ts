import type { AdapterOptions, HelloJohn, HelloJohnRequestState } from "@hellojohn/node";

/**
 * Options of the {@link hellojohn} plugin: the client's options, or an existing client.
 * `logLevel` is Fastify's own register option (the plugin's log level), so to set the
 * SDK's, pass a `client` created with it.
 */
export interface HelloJohnFastifyOptions extends Omit<AdapterOptions, "logLevel"> {
  /** The hook that verifies the session: `onRequest` (default, before the body is read) or `preHandler`. */
  hook?: "onRequest" | "preHandler" | undefined;
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
