import { AuthRequirement, type AuthRefusal, type RequireAuthOptions } from "@hellojohn/node";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { notMounted } from "./get-auth.js";
import { requestStateOf } from "./request-slot.js";

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
  if (typeof options === "object" && options !== null && "headers" in options) {
    throw new TypeError("requireAuth is a middleware factory: use requireAuth(), not requireAuth");
  }
  const requirement = AuthRequirement.from("requireAuth()", options);
  return function requireHelloJohnAuth(req: Request, res: Response, next: NextFunction): void {
    const state = requestStateOf(req);
    if (state === undefined) return next(notMounted());
    const refusal = requirement.refusalFor(state);
    if (refusal === null) return next();
    if (refusal instanceof Promise) refusal.then((answer) => (answer === null ? next() : refuse(res, answer)), next);
    else refuse(res, refusal);
  };
}

function refuse(res: Response, { status, headers, body }: AuthRefusal): void {
  res.status(status).set(headers).json(body);
}
