import { AuthRequirement, RequestState, type RequireAuthOptions } from "@hellojohn/node";
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
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
export function requireAuth(options: RequireAuthOptions = {}): preHandlerAsyncHookHandler {
  const requirement = AuthRequirement.from("requireAuth()", options);
  return async function requireHelloJohnAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const state = RequestState.of(request);
    if (state === undefined) throw notRegistered();
    const refusal = await requirement.refusalFor(state);
    if (refusal !== null) await reply.code(refusal.status).headers(refusal.headers).type("application/json").send(refusal.body);
  };
}
