import { authenticateRequest, type RequestAuthentication, RequestState, resolveAdapterOptions } from "@hellojohn/node";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { requestStateOf, setRequestState } from "./request-slot.js";
import type { HelloJohnExpressOptions } from "./types.js";

function looksLikeRequest(value: unknown): boolean {
  return typeof value === "object" && value !== null && "headers" in value && "method" in value && "url" in value;
}

/**
 * Express middleware that attaches `req.hj`: the users and organizations APIs
 * of one shared client, and `req.hj.auth`, the request's verified session
 * (from `Authorization: Bearer`, or a cookie you name) or `null`.
 *
 * Options are validated here, once, with the same environment fallbacks as
 * `new HelloJohn()`; an unknown option is refused with a suggestion. Mounting
 * it twice is harmless. When HelloJohn cannot be reached to check a token,
 * the request goes on without a session (public routes keep working) and
 * `requireAuth()` answers 503 with `Retry-After`.
 *
 * @example
 * ```ts
 * import express from "express";
 * import { hellojohn, requireAuth } from "@hellojohn/express";
 *
 * const app = express();
 * app.use(hellojohn());
 * app.get("/me", requireAuth(), (req, res, next) => {
 *   req.hj.users.get(req.hj.auth!.userId).then((user) => res.json(user), next);
 * });
 * ```
 */
export function hellojohn(options: HelloJohnExpressOptions = {}, ...misuse: unknown[]): RequestHandler {
  if (looksLikeRequest(options) || misuse.length > 0) {
    throw new TypeError("hellojohn is a middleware factory: use app.use(hellojohn()), not app.use(hellojohn)");
  }
  const { client, cookieName } = resolveAdapterOptions("hellojohn()", options);
  // Made once: nothing here is allocated per request but the request's own state.
  const authenticateOptions = { cookieName };
  const attach = (req: Request, next: NextFunction, { auth, token, error, failure }: RequestAuthentication): void => {
    setRequestState(req, new RequestState(client, auth, token, error, failure));
    next();
  };

  return function hellojohnMiddleware(req: Request, _res: Response, next: NextFunction): void {
    if (typeof next !== "function") return;
    // Mounted twice (or on a sub-app): the first one already did the work.
    if (requestStateOf(req) !== undefined) return next();
    let result: RequestAuthentication | Promise<RequestAuthentication>;
    try {
      result = authenticateRequest(client, req.headers, authenticateOptions);
    } catch (error) {
      return next(error);
    }
    // A remembered token is answered at once: no promise and no closure. Errors go to next() explicitly: Express 4 ignores returned promises.
    if (result instanceof Promise) result.then((authentication) => attach(req, next, authentication), next);
    else attach(req, next, result);
  };
}
