import { type AuthRefusal, AuthRequirement, RequestState, type RequireAuthOptions } from "@hellojohn/node";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerHookHandler } from "fastify";
import { notRegistered } from "./get-auth.js";

/**
 * A hook, for `onRequest` or `preHandler`, that answers 401 with a JSON error unless the request has a
 * valid session; with `checkRevoked`, also asks HelloJohn whether it is still
 * active; with `audience`/`authorizedParties`, also requires the token's `aud`/`azp` to match.
 * With `role`, answers 403 `insufficient_role` when the session's organization
 * role (the token's `org_role`) is not the one (or one of those) required.
 * When HelloJohn cannot be reached to check the token, answers 503
 * JSON with `Retry-After` (the cause is logged by the client's logger).
 *
 * As an `onRequest` hook it runs right after the plugin's own (route and
 * child-context hooks come after the root's) and refuses before the body is
 * read or parsed, in the same pass of hooks; with the plugin's `hook:
 * "preHandler"` it must be a `preHandler` too, and fails with an error saying
 * so when it runs first.
 *
 * @example
 * ```ts
 * app.get("/me", { onRequest: requireAuth() }, async (request) => ({ userId: request.hj.auth!.userId }));
 * app.post("/billing", { onRequest: requireAuth({ checkRevoked: true }) }, async () => ({ ok: true }));
 * app.get("/org/settings", { onRequest: requireAuth({ role: "admin" }) }, async (request) => ({ orgId: request.hj.auth!.orgId }));
 * ```
 */
export function requireAuth(options: RequireAuthOptions = {}): preHandlerHookHandler {
  const requirement = AuthRequirement.from("requireAuth()", options);
  // A callback hook, not an async one: the common case (a session the plugin already verified) costs no promise.
  return function requireHelloJohnAuth(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const state = RequestState.of(request);
    if (state === undefined) return done(request.hj === null ? ranBeforeHook() : notRegistered());
    const refusal = requirement.refusalFor(state);
    if (refusal === null) return done();
    if (refusal instanceof Promise) {
      refusal.then((answer) => (answer === null ? done() : refuse(reply, answer)), done);
      return;
    }
    refuse(reply, refusal);
  };
}

/** The plugin decorated requests (`null` until its hook runs), but this hook ran before the plugin's. */
const ranBeforeHook = (): Error =>
  new Error(
    'requireAuth() ran before HelloJohn\'s hook: the plugin registered with hook: "preHandler" needs requireAuth() as a preHandler too, and addHook("onRequest", requireAuth()) must come after fastify.register(hellojohn)',
  );

/** Answers the refusal; a hook that sends a reply does not call `done`. */
function refuse(reply: FastifyReply, { status, headers, body }: AuthRefusal): void {
  reply.code(status).headers(headers).type("application/json").send(body);
}
