import { RequestState, RoleRequirement, unauthorizedBody, type TokenVerificationError } from "@hellojohn/node";
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { notRegistered } from "./get-auth.js";
import type { RequireAuthOptions } from "./types.js";

/**
 * A `preHandler` that answers 401 with a JSON error unless the request has a
 * valid session; with `checkRevoked`, also asks HelloJohn whether it is still
 * active. With `role`, answers 403 `insufficient_role` when the session's
 * organization role (the token's `org_role`) is not the one (or one of those) required.
 *
 * @example
 * ```ts
 * app.get("/me", { preHandler: requireAuth() }, (request) => ({ userId: request.hj.auth!.userId }));
 * app.post("/billing", { preHandler: requireAuth({ checkRevoked: true }) }, handler);
 * app.delete("/org/members/:id", { preHandler: requireAuth({ role: "admin" }) }, handler);
 * ```
 */
export function requireAuth(options: RequireAuthOptions = {}): preHandlerAsyncHookHandler {
  const checkRevoked = options.checkRevoked === true;
  const roles = RoleRequirement.from(options.role, 'requireAuth() option "role"');
  return async function requireHelloJohnAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const state = RequestState.of(request);
    if (state === undefined) throw notRegistered();
    const deny = (error: TokenVerificationError | null): FastifyReply => reply.code(401).type("application/json").send(unauthorizedBody(error));
    const token = RequestState.tokenOf(state);
    if (state.auth === null || token === null) return void (await deny(RequestState.errorOf(state)));
    if (checkRevoked) {
      try {
        await state.client.verifyToken(token, { checkRevoked: true });
      } catch (error) {
        if ((error as { type?: string }).type !== "token_verification_error") throw error;
        return void (await deny(error as TokenVerificationError));
      }
    }
    if (roles !== undefined && !roles.admits(state.auth)) await reply.code(403).type("application/json").send(roles.forbiddenBody());
  };
}
