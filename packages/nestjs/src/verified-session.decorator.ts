import { createParamDecorator, type ExecutionContext } from "@nestjs/common";
import type { VerifiedToken } from "@hellojohn/node";
import { getVerifiedSession } from "./get-verified-session.js";

/**
 * Hands a handler the session `HelloJohnGuard` verified. Throws when the guard
 * did not run for the route (a route marked `@Public()`, or no guard at all).
 *
 * @example
 * ```ts
 * @Get("me") me(@VerifiedSession() session: VerifiedToken) { return { userId: session.userId }; }
 * ```
 */
export const VerifiedSession = createParamDecorator((_data: unknown, context: ExecutionContext): VerifiedToken => {
  const session = getVerifiedSession(context);
  if (session === null) throw new Error("@VerifiedSession() needs HelloJohnGuard on this route");
  return session;
});
