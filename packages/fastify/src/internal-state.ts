import type { TokenVerificationError } from "@hellojohn/node";

/** Per-request details the public `request.hj` does not expose: the raw token and why it failed. */
export interface RequestAuthDetails {
  token: string | null;
  error: TokenVerificationError | null;
}

/** Keyed by the request object, so nothing is shared between requests or outlives one. */
export const authDetails: WeakMap<object, RequestAuthDetails> = new WeakMap();
