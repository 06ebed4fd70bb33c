import type { VerifiedToken } from "@hellojohn/node";

// The session the guard verified rides on the platform's request object (Express or Fastify) under a
// symbol: not enumerated, not serialized, and cheaper on every request than a WeakMap entry, which the
// garbage collector has to trace as an ephemeron.
const VERIFIED_SESSION = Symbol("hellojohn.verifiedSession");

/** Remembers the session verified for `request`. */
export function setVerifiedSession(request: object, session: VerifiedToken): void {
  (request as { [VERIFIED_SESSION]?: VerifiedToken })[VERIFIED_SESSION] = session;
}

/** The session verified for `request`, or `null`. */
export function verifiedSessionOf(request: object): VerifiedToken | null {
  return (request as { [VERIFIED_SESSION]?: VerifiedToken })[VERIFIED_SESSION] ?? null;
}
