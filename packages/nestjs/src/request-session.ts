import type { VerifiedToken } from "@hellojohn/node";

// The session the guard verified, by request (Express's or Fastify's request object): not a property
// of the request, so not enumerated or serialized, and no new hidden class per request — on Express,
// whose requests take their app's prototype, adding a property to one makes V8 build a new class each
// time (callgrind: about 13,000 instructions a request), which costs more than the WeakMap entry.
const sessions = new WeakMap<object, VerifiedToken>();

/** Remembers the session verified for `request`. */
export function setVerifiedSession(request: object, session: VerifiedToken): void {
  sessions.set(request, session);
}

/** The session verified for `request`, or `null`. */
export function verifiedSessionOf(request: object): VerifiedToken | null {
  return sessions.get(request) ?? null;
}
