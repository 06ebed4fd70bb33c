import { RequestState, RoleRequirement, unauthorizedBody, type TokenVerificationError, type VerifiedToken } from "@hellojohn/node";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { notMounted } from "./get-auth.js";
import type { RequireAuthOptions } from "./types.js";

/**
 * Answers 401 with a JSON error (never a redirect) unless the request has a
 * valid HelloJohn session. With `checkRevoked`, also asks HelloJohn whether
 * the session is still active. With `role`, answers 403 `insufficient_role`
 * when the session's organization role (the token's `org_role`) is not the
 * one (or one of those) required.
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
  const checkRevoked = options.checkRevoked === true;
  const roles = RoleRequirement.from(options.role, 'requireAuth() option "role"');
  return (req: Request, res: Response, next: NextFunction): void => {
    const state = RequestState.of(req);
    if (state === undefined) return next(notMounted());
    const deny = (error: TokenVerificationError | null): void => void res.status(401).json(unauthorizedBody(error));
    const admit = (auth: VerifiedToken): void =>
      roles === undefined || roles.admits(auth) ? next() : void res.status(403).json(roles.forbiddenBody());
    const token = RequestState.tokenOf(state);
    const auth = state.auth;
    if (auth === null || token === null) return deny(RequestState.errorOf(state));
    if (!checkRevoked) return admit(auth);
    state.client.verifyToken(token, { checkRevoked: true }).then(
      () => admit(auth),
      (error: unknown) => ((error as { type?: string }).type === "token_verification_error" ? deny(error as TokenVerificationError) : next(error)),
    );
  };
}
