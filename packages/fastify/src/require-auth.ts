import { checkTokenParties, RequestState, unauthorizedBody, type TokenVerificationError } from "@hellojohn/node";
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { notRegistered } from "./get-auth.js";
import type { RequireAuthOptions } from "./types.js";

/**
 * A `preHandler` that answers 401 with a JSON error unless the request has a
 * valid session; with `checkRevoked`, also asks HelloJohn whether it is still
 * active; with `audience`/`authorizedParties`, also requires the token's `aud`/`azp` to match.
 *
 * @example
 * ```ts
 * app.get("/me", { preHandler: requireAuth() }, (request) => ({ userId: request.hj.auth!.userId }));
 * app.post("/billing", { preHandler: requireAuth({ checkRevoked: true }) }, handler);
 * app.get("/orders", { preHandler: requireAuth({ audience: "https://api.example.com" }) }, handler);
 * ```
 */
export function requireAuth(options: RequireAuthOptions = {}): preHandlerAsyncHookHandler {
  const checkRevoked = options.checkRevoked === true;
  const parties = { audience: options.audience, authorizedParties: options.authorizedParties };
  const checkParties = parties.audience !== undefined || parties.authorizedParties !== undefined;
  return async function requireHelloJohnAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const state = RequestState.of(request);
    if (state === undefined) throw notRegistered();
    const deny = (error: TokenVerificationError | null): FastifyReply => reply.code(401).type("application/json").send(unauthorizedBody(error));
    const token = RequestState.tokenOf(state);
    if (state.auth === null || token === null) return void (await deny(RequestState.errorOf(state)));
    const refusal = checkParties ? checkTokenParties(state.auth, parties) : null;
    if (refusal !== null) return void (await deny(refusal));
    if (!checkRevoked) return;
    try {
      await state.client.verifyToken(token, { checkRevoked: true });
    } catch (error) {
      if ((error as { type?: string }).type !== "token_verification_error") throw error;
      await deny(error as TokenVerificationError);
    }
  };
}
