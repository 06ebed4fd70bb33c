import { type AuthRefusal, AuthRequirement, RequestState, type RequireAuthOptions } from "@hellojohn/node";
import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction, preHandlerHookHandler } from "fastify";
import { notRegistered } from "./get-auth.js";

/**
 * A `preHandler` that answers 401 with a JSON error unless the request has a
 * valid session; with `checkRevoked`, also asks HelloJohn whether it is still
 * active; with `audience`/`authorizedParties`, also requires the token's `aud`/`azp` to match.
 * With `role`, answers 403 `insufficient_role` when the session's organization
 * role (the token's `org_role`) is not the one (or one of those) required.
 * When HelloJohn cannot be reached to check the token, answers 503
 * JSON with `Retry-After` (the cause is logged by the client's logger).
 *
 * @example
 * ```ts
 * app.get("/me", { preHandler: requireAuth() }, async (request) => ({ userId: request.hj.auth!.userId }));
 * app.post("/billing", { preHandler: requireAuth({ checkRevoked: true }) }, async () => ({ ok: true }));
 * app.get("/org/settings", { preHandler: requireAuth({ role: "admin" }) }, async (request) => ({ orgId: request.hj.auth!.orgId }));
 * ```
 */
export function requireAuth(options: RequireAuthOptions = {}): preHandlerHookHandler {
  const requirement = AuthRequirement.from("requireAuth()", options);
  // A callback hook, not an async one: the common case (a session the plugin already verified) costs no promise.
  return function requireHelloJohnAuth(request: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const state = RequestState.of(request);
    if (state === undefined) return done(notRegistered());
    const refusal = requirement.refusalFor(state);
    if (refusal === null) return done();
    if (refusal instanceof Promise) {
      refusal.then((answer) => (answer === null ? done() : refuse(reply, answer)), done);
      return;
    }
    refuse(reply, refusal);
  };
}

/** Answers the refusal; a hook that sends a reply does not call `done`. */
function refuse(reply: FastifyReply, { status, headers, body }: AuthRefusal): void {
  reply.code(status).headers(headers).type("application/json").send(body);
}
