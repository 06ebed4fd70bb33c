import type { VerifiedToken } from "@hellojohn/node";

/** Sessions verified by the guard, keyed by the platform's request object (Express or Fastify). */
export const verifiedSessions: WeakMap<object, VerifiedToken> = new WeakMap();
