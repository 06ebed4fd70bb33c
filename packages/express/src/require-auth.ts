import { checkTokenParties, RequestState, unauthorizedBody, type TokenVerificationError } from "@hellojohn/node";
import type { NextFunction, Request, RequestHandler, Response } from "express";
import { notMounted } from "./get-auth.js";
import type { RequireAuthOptions } from "./types.js";

/**
 * Answers 401 with a JSON error (never a redirect) unless the request has a
 * valid HelloJohn session. With `checkRevoked`, also asks HelloJohn whether
 * the session is still active; with `audience`/`authorizedParties`, also
 * requires the token's `aud`/`azp` to match.
 *
 * @example
 * ```ts
 * app.get("/me", requireAuth(), (req, res) => res.json({ userId: req.hj.auth!.userId }));
 * app.post("/billing", requireAuth({ checkRevoked: true }), handler);
 * app.get("/orders", requireAuth({ audience: "https://api.example.com", authorizedParties: ["https://app.example.com"] }), handler);
 * ```
 */
export function requireAuth(options: RequireAuthOptions = {}): RequestHandler {
  if (typeof options !== "object" || options === null || "headers" in options) {
    throw new TypeError("requireAuth is a middleware factory: use requireAuth(), not requireAuth");
  }
  const checkRevoked = options.checkRevoked === true;
  const parties = { audience: options.audience, authorizedParties: options.authorizedParties };
  const checkParties = parties.audience !== undefined || parties.authorizedParties !== undefined;
  return (req: Request, res: Response, next: NextFunction): void => {
    const state = RequestState.of(req);
    if (state === undefined) return next(notMounted());
    const deny = (error: TokenVerificationError | null): void => void res.status(401).json(unauthorizedBody(error));
    const token = RequestState.tokenOf(state);
    if (state.auth === null || token === null) return deny(RequestState.errorOf(state));
    const refusal = checkParties ? checkTokenParties(state.auth, parties) : null;
    if (refusal !== null) return deny(refusal);
    if (!checkRevoked) return next();
    state.client.verifyToken(token, { checkRevoked: true }).then(
      () => next(),
      (error: unknown) => ((error as { type?: string }).type === "token_verification_error" ? deny(error as TokenVerificationError) : next(error)),
    );
  };
}
