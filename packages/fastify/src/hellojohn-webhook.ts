import { checkWebhookOptions, receiveWebhook, type ReceiveWebhookOptions } from "@hellojohn/node";
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from "fastify";

/** Options of the {@link hellojohnWebhook} plugin. */
export interface HelloJohnWebhookOptions extends ReceiveWebhookOptions<FastifyRequest> {
  /** The route's URL. Default `/webhooks/hellojohn`. */
  path?: string | undefined;
}

/**
 * A Fastify plugin that adds a `POST` route receiving HelloJohn webhooks. In
 * its own encapsulated context it parses `application/json` as a raw Buffer —
 * the bytes that were signed — and leaves your other routes' JSON parsing
 * alone. It verifies (Standard Webhooks signature, 5-minute window, no
 * replays), calls `onEvent` with the typed event and answers 204; 400 when
 * verification fails; 500 when `onEvent` throws, so HelloJohn retries.
 *
 * @example
 * ```ts
 * await app.register(hellojohnWebhook, {
 *   path: "/webhooks/hellojohn",
 *   secret: process.env.HELLOJOHN_WEBHOOK_SECRET!,
 *   onEvent: async (event) => {
 *     if (event.type === "user.created") await db.customers.insert({ id: event.data.id, email: event.data.email });
 *   },
 * });
 * ```
 */
export const hellojohnWebhook: FastifyPluginAsync<HelloJohnWebhookOptions> = async (fastify: FastifyInstance, options) => {
  const checked = checkWebhookOptions(options, "hellojohnWebhook");
  fastify.removeContentTypeParser("application/json");
  fastify.addContentTypeParser("application/json", { parseAs: "buffer" }, (_request, body, done) => done(null, body));
  fastify.post(options.path ?? "/webhooks/hellojohn", async (request, reply) => {
    const answer = await receiveWebhook(request.body, request.headers, checked, request);
    return answer.body === undefined ? reply.code(answer.status).send() : reply.code(answer.status).send(answer.body);
  });
};
