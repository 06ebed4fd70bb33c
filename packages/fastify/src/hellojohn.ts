import { authenticateRequest, type RequestAuthentication, RequestState, resolveAdapterOptions } from "@hellojohn/node";
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { HelloJohnFastifyOptions } from "./types.js";

const HOOKS = ["onRequest", "preHandler"] as const;
const isHook = (value: unknown): value is (typeof HOOKS)[number] => (HOOKS as readonly unknown[]).includes(value);
// Fastify's own register options reach the plugin too; `logLevel` is one, so the client's is not an option here.
const REGISTER_OPTION_NAMES = ["prefix", "logLevel", "logSerializers"] as const;

const plugin: FastifyPluginAsync<HelloJohnFastifyOptions> = async (fastify: FastifyInstance, options) => {
  if (fastify.hasDecorator("hj")) {
    throw new Error("@hellojohn/fastify is already registered in this context: register it once, at the root");
  }
  const { client, cookieName, own } = resolveAdapterOptions("@hellojohn/fastify", options, { own: ["hook"], ignored: REGISTER_OPTION_NAMES });
  const hook = own.hook ?? "onRequest";
  if (!isHook(hook)) throw new TypeError(`@hellojohn/fastify option "hook" must be "onRequest" or "preHandler", got ${JSON.stringify(hook)}`);

  fastify.decorate("hj", client);
  // v5: a null placeholder keeps every request object the same shape; the hook sets a fresh value per request.
  fastify.decorateRequest("hj", null as never);
  // Made once: nothing here is allocated per request but the request's own state.
  const authenticateOptions = { cookieName };
  const attach = (request: FastifyRequest, done: (error?: Error) => void, { auth, token, error, failure }: RequestAuthentication): void => {
    request.hj = new RequestState(client, auth, token, error, failure);
    done();
  };
  // A callback hook, not an async one: a remembered token is handled without a promise hop or a closure.
  fastify.addHook(hook, (request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void) => {
    let result: RequestAuthentication | Promise<RequestAuthentication>;
    try {
      result = authenticateRequest(client, request.headers, authenticateOptions);
    } catch (error) {
      return done(error as Error);
    }
    if (result instanceof Promise) result.then((authentication) => attach(request, done, authentication), done);
    else attach(request, done, result);
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
 * app.get("/me", { onRequest: requireAuth() }, (request) => request.hj.users.get(request.hj.auth!.userId));
 * ```
 */
export const hellojohn = fp(plugin, { name: "@hellojohn/fastify", fastify: "5.x" });
