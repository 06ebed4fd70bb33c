import { authenticateRequestCallback, HelloJohn, isHelloJohnClient, RequestState } from "@hellojohn/node";
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { HelloJohnFastifyOptions } from "./types.js";

const HOOKS = ["onRequest", "preHandler"] as const;

const plugin: FastifyPluginAsync<HelloJohnFastifyOptions> = async (fastify: FastifyInstance, options) => {
  if (fastify.hasDecorator("hj")) {
    throw new Error("@hellojohn/fastify is already registered in this context: register it once, at the root");
  }
  const { client: given, cookieName, hook = "onRequest", ...clientOptions } = options;
  if (!HOOKS.includes(hook)) throw new TypeError(`@hellojohn/fastify option "hook" must be "onRequest" or "preHandler", got ${JSON.stringify(hook)}`);
  if (cookieName !== undefined && (typeof cookieName !== "string" || cookieName === "")) {
    throw new TypeError('@hellojohn/fastify option "cookieName" must be a non-empty string');
  }
  if (given !== undefined && !isHelloJohnClient(given)) throw new TypeError('@hellojohn/fastify option "client" must be a HelloJohn instance');
  const client = given ?? new HelloJohn(clientOptions);

  fastify.decorate("hj", client);
  // v5: a null placeholder keeps every request object the same shape; the hook sets a fresh value per request.
  fastify.decorateRequest("hj", null as never);
  // A callback hook, not an async one: a remembered token is handled without a promise hop.
  fastify.addHook(hook, (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    authenticateRequestCallback(client, request.headers, { cookieName }, (error, authentication) => {
      if (error !== null) return done(error);
      request.hj = new RequestState(client, authentication.auth, authentication.token, authentication.error);
      done();
    });
  });
};

/**
 * The HelloJohn Fastify plugin: decorates the instance with the client
 * (`fastify.hj`) and every request with `request.hj` — the users and
 * organizations APIs and `request.hj.auth`, the verified session or `null`.
 * Wrapped with `fastify-plugin`, so child contexts see the decorations.
 *
 * @example
 * ```ts
 * import Fastify from "fastify";
 * import { hellojohn, requireAuth } from "@hellojohn/fastify";
 *
 * const app = Fastify();
 * await app.register(hellojohn); // reads HELLOJOHN_* from the environment
 * app.get("/me", { preHandler: requireAuth() }, (request) => request.hj.users.get(request.hj.auth!.userId));
 * ```
 */
export const hellojohn = fp(plugin, { name: "@hellojohn/fastify", fastify: "5.x" });
