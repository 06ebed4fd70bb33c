import type { VerifiedToken } from "@hellojohn/node";
import type { Request } from "express";

export const notMounted = (): Error => new Error("HelloJohn middleware is not mounted: add app.use(hellojohn()) before routes that use req.hj");

/**
 * The verified session of `req`, or `null` when it has no valid token.
 * Throws when `hellojohn()` was not mounted, instead of silently returning `null`.
 *
 * @example
 * ```ts
 * const auth = getAuth(req);
 * if (auth === null) return res.status(401).end();
 * ```
 */
export function getAuth(req: Request): VerifiedToken | null {
  const state = (req as Partial<Request>).hj;
  if (state === undefined) throw notMounted();
  return state.auth;
}
