import type { HelloJohnError, TokenVerificationError } from "../core/errors.js";
import type { HelloJohn } from "../hellojohn.js";
import type { Organizations } from "../resources/organizations/organizations.js";
import type { Users } from "../resources/users/users.js";
import type { VerifiedToken } from "../tokens/verify-token.interface.js";

/** What framework adapters attach to each request as `hj`: the shared client's namespaces and the request's verified session. */
export interface HelloJohnRequestState {
  /** The shared client (one per app, not per request). */
  readonly client: HelloJohn;
  /** The users API: `req.hj.users.get(…)` and the rest. */
  readonly users: Users;
  /** The organizations API. */
  readonly organizations: Organizations;
  /** The verified session of this request, or `null` when there is no valid token. */
  readonly auth: VerifiedToken | null;
}

/**
 * The `hj` object framework adapters attach to a request. A class rather than
 * a literal: one fixed shape for every request, and the raw token, why it
 * was refused and any failure to reach HelloJohn kept private (never
 * serialized or logged), readable only through {@link RequestState.tokenOf},
 * {@link RequestState.errorOf} and {@link RequestState.failureOf}.
 *
 * @example
 * ```ts
 * const { auth, token, error, failure } = await authenticateRequest(client, req.headers);
 * req.hj = new RequestState(client, auth, token, error, failure);
 * ```
 */
export class RequestState implements HelloJohnRequestState {
  readonly client: HelloJohn;
  readonly auth: VerifiedToken | null;
  readonly #token: string | null;
  readonly #error: TokenVerificationError | null;
  readonly #failure: HelloJohnError | null;

  constructor(client: HelloJohn, auth: VerifiedToken | null, token: string | null, error: TokenVerificationError | null, failure: HelloJohnError | null = null) {
    this.client = client;
    this.auth = auth;
    this.#token = token;
    this.#error = error;
    this.#failure = failure ?? null;
  }

  get users(): Users {
    return this.client.users;
  }

  get organizations(): Organizations {
    return this.client.organizations;
  }

  /** The raw bearer token of the request, if it had one. */
  static tokenOf(state: RequestState): string | null {
    return state.#token;
  }

  /** Why the request's token was refused, if it was. */
  static errorOf(state: RequestState): TokenVerificationError | null {
    return state.#error;
  }

  /** Why HelloJohn could not check the request's token (unreachable, rate limited, …), if it could not. */
  static failureOf(state: RequestState): HelloJohnError | null {
    return state.#failure;
  }

  /** The state an adapter attached as `holder.hj`, or undefined when none did. */
  static of(holder: object): RequestState | undefined {
    const state = (holder as { hj?: unknown }).hj;
    return state instanceof RequestState ? state : undefined;
  }
}
