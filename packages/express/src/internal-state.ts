import type { TokenVerificationError } from "@hellojohn/node";

/** Per-request details the public `req.hj` does not expose: the raw token and why it failed. */
export interface RequestAuthDetails {
  token: string | null;
  error: TokenVerificationError | null;
}

/** Keyed by the request object, so nothing leaks once the request is gone. */
export const authDetails: WeakMap<object, RequestAuthDetails> = new WeakMap();
