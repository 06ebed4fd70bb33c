import {
  assertKnownOptions,
  authenticateToken,
  errorResponse,
  checkTokenParties,
  RequestState,
  RoleRequirement,
  unauthorizedBody,
  type HelloJohnError,
  type TokenVerificationError,
} from "@hellojohn/node";
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from "fastify";
import { notRegistered } from "./get-auth.js";
import type { RequireAuthOptions } from "./types.js";

const OPTION_NAMES = ["checkRevoked", "audience", "authorizedParties", "role"] as const satisfies readonly (keyof RequireAuthOptions)[];
type MustBeNever<T extends never> = T;
// A compile error here names an option of RequireAuthOptions missing from OPTION_NAMES.
type UnlistedOption = MustBeNever<Exclude<keyof RequireAuthOptions, (typeof OPTION_NAMES)[number]>>;

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
  assertKnownOptions("requireAuth()", options, OPTION_NAMES);
  const checkRevoked = options.checkRevoked === true;
  const roles = RoleRequirement.from(options.role, 'requireAuth() option "role"');
  const parties = { audience: options.audience, authorizedParties: options.authorizedParties };
  const checkParties = parties.audience !== undefined || parties.authorizedParties !== undefined;
  return async function requireHelloJohnAuth(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const state = RequestState.of(request);
    if (state === undefined) throw notRegistered();
    const deny = (error: TokenVerificationError | null): FastifyReply => reply.code(401).type("application/json").send(unauthorizedBody(error));
    // Logged once already, where the token was checked.
    const unavailable = (failure: HelloJohnError): FastifyReply => {
      const { status, headers, body } = errorResponse(failure, { logger: null });
      return reply.code(status).headers(headers).type("application/json").send(body);
    };
    const failure = RequestState.failureOf(state);
    if (failure !== null) return void (await unavailable(failure));
    const token = RequestState.tokenOf(state);
    if (state.auth === null || token === null) return void (await deny(RequestState.errorOf(state)));
    const refusal = checkParties ? checkTokenParties(state.auth, parties) : null;
    if (refusal !== null) return void (await deny(refusal));
    if (checkRevoked) {
      const checked = await authenticateToken(state.client, token, { checkRevoked: true });
      if (checked.failure !== undefined) return void (await unavailable(checked.failure));
      if (checked.auth === null) return void (await deny(checked.error));
    }
    if (roles !== undefined && !roles.admits(state.auth)) await reply.code(403).type("application/json").send(roles.forbiddenBody());
  };
}
