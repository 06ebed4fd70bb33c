import {
  assertKnownOptions,
  authenticateToken,
  errorResponse,
  checkTokenParties,
  RequestState,
  RoleRequirement,
  unauthorizedBody,
  type HelloJohnError,
  type RequestAuthentication,
  type TokenVerificationError,
  type VerifiedToken,
} from "@hellojohn/node";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { notMounted } from "./get-auth.js";
import type { RequireAuthOptions } from "./types.js";

const OPTION_NAMES = ["checkRevoked", "audience", "authorizedParties", "role"] as const satisfies readonly (keyof RequireAuthOptions)[];
type MustBeNever<T extends never> = T;
// A compile error here names an option of RequireAuthOptions missing from OPTION_NAMES.
type UnlistedOption = MustBeNever<Exclude<keyof RequireAuthOptions, (typeof OPTION_NAMES)[number]>>;

/**
 * Answers 401 with a JSON error (never a redirect) unless the request has a
 * valid HelloJohn session. With `checkRevoked`, also asks HelloJohn whether
 * the session is still active; with `audience`/`authorizedParties`, also
 * requires the token's `aud`/`azp` to match. With `role`, answers 403
 * `insufficient_role` when the session's organization role (the token's
 * `org_role`) is not the one (or one of those) required. When HelloJohn cannot be reached to check the
 * token, answers 503 JSON with `Retry-After` (the cause is logged by the
 * client's logger), never an HTML error page.
 *
 * @example
 * ```ts
 * app.get("/me", requireAuth(), (req, res) => res.json({ userId: req.hj.auth!.userId }));
 * app.post("/billing", requireAuth({ checkRevoked: true }), handler);
 * app.delete("/org/members/:id", requireAuth({ role: "admin" }), handler);
 * ```
 */
export function requireAuth(options: RequireAuthOptions = {}): RequestHandler {
  if (typeof options !== "object" || options === null || "headers" in options) {
    throw new TypeError("requireAuth is a middleware factory: use requireAuth(), not requireAuth");
  }
  assertKnownOptions("requireAuth()", options, OPTION_NAMES);
  const checkRevoked = options.checkRevoked === true;
  const roles = RoleRequirement.from(options.role, 'requireAuth() option "role"');
  const parties = { audience: options.audience, authorizedParties: options.authorizedParties };
  const checkParties = parties.audience !== undefined || parties.authorizedParties !== undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    const state = RequestState.of(req);
    if (state === undefined) return next(notMounted());
    const deny = (error: TokenVerificationError | null): void => void res.status(401).json(unauthorizedBody(error));
    // Logged once already, where the token was checked.
    const unavailable = (failure: HelloJohnError): void => {
      const { status, headers, body } = errorResponse(failure, { logger: null });
      res.status(status).set(headers).json(body);
    };
    const authorize = (auth: VerifiedToken): void =>
      roles === undefined || roles.admits(auth) ? next() : void res.status(403).json(roles.forbiddenBody());
    const failure = RequestState.failureOf(state);
    if (failure !== null) return unavailable(failure);
    const token = RequestState.tokenOf(state);
    if (state.auth === null || token === null) return deny(RequestState.errorOf(state));
    const refusal = checkParties ? checkTokenParties(state.auth, parties) : null;
    if (refusal !== null) return deny(refusal);
    if (!checkRevoked) return authorize(state.auth);
    const admit = (checked: RequestAuthentication): void => {
      if (checked.failure !== undefined) return unavailable(checked.failure);
      if (checked.auth === null) return deny(checked.error);
      authorize(checked.auth);
    };
    const checked = authenticateToken(state.client, token, { checkRevoked: true });
    if (checked instanceof Promise) checked.then(admit, next);
    else admit(checked);
  };
}
