import type { ExecutionContext } from "@nestjs/common";
import type { VerifiedToken } from "@hellojohn/node";
import { verifiedSessionOf } from "./request-session.js";

/**
 * The session `HelloJohnGuard` verified for this request, or `null` when the
 * guard did not run. For guards and interceptors that run after it.
 *
 * @example
 * ```ts
 * canActivate(context: ExecutionContext) {
 *   return getVerifiedSession(context)?.impersonator === null;
 * }
 * ```
 */
export function getVerifiedSession(context: ExecutionContext): VerifiedToken | null {
  return verifiedSessionOf(context.getArgByIndex<object>(0));
}
