import type { HelloJohn, Organizations, TokenVerificationError, Users, VerifiedToken } from "@hellojohn/node";
import type { HelloJohnRequestState } from "./types.js";

/**
 * `req.hj`. A class rather than a literal: one fixed shape for every request,
 * and the raw token and its failure kept private (never serialized or logged).
 */
export class RequestState implements HelloJohnRequestState {
  readonly client: HelloJohn;
  readonly auth: VerifiedToken | null;
  readonly #token: string | null;
  readonly #error: TokenVerificationError | null;

  constructor(client: HelloJohn, auth: VerifiedToken | null, token: string | null, error: TokenVerificationError | null) {
    this.client = client;
    this.auth = auth;
    this.#token = token;
    this.#error = error;
  }

  get users(): Users {
    return this.client.users;
  }

  get organizations(): Organizations {
    return this.client.organizations;
  }

  static token(state: RequestState): string | null {
    return state.#token;
  }

  static error(state: RequestState): TokenVerificationError | null {
    return state.#error;
  }
}

/** The state this package attached to the request, or undefined when it did not run. */
export function internalState(request: object): RequestState | undefined {
  const state = (request as { hj?: unknown }).hj;
  return state instanceof RequestState ? state : undefined;
}
