import type { HelloJohnError, TokenVerificationError } from "../core/errors.js";
import { assertKnownOptions } from "../core/known-options.js";
import { checkTokenParties, type TokenPartiesOptions } from "../tokens/token-parties.js";
import type { VerifiedToken } from "../tokens/verify-token.interface.js";
import { authenticateToken, unauthorizedBody, type RequestAuthentication } from "./authenticate-request.js";
import { errorResponse } from "./error-response.js";
import { RequestState } from "./request-state.js";
import { RoleRequirement } from "./role-requirement.js";

/** Options of the adapters' `requireAuth()`. */
export interface RequireAuthOptions {
  /** Also ask HelloJohn whether the session was revoked (one API call per request). */
  checkRevoked?: boolean | undefined;
  /**
   * Required `aud` of the token (one of these), on top of the client's
   * `audience` option. Tokens carry `aud` when sign-in asked for one.
   */
  audience?: string | string[] | undefined;
  /**
   * Allowed `azp` (the origin the token was issued to), on top of the
   * client's `authorizedParties` option; a token without `azp` passes (as in Clerk).
   */
  authorizedParties?: string[] | undefined;
  /**
   * Also require this role (or any of these roles) in the session's active
   * organization (the token's `org_role`); otherwise answer 403 `insufficient_role`.
   */
  role?: string | readonly string[] | undefined;
}

// Typed as a record of every option, so an option added to RequireAuthOptions and not listed here fails to compile.
const OPTIONS: Record<keyof RequireAuthOptions, true> = { checkRevoked: true, audience: true, authorizedParties: true, role: true };
const OPTION_NAMES = Object.keys(OPTIONS);

/** How to answer a request a route refuses: status, headers and JSON body. `null` lets it through. */
export interface AuthRefusal {
  status: 401 | 403 | 500 | 502 | 503;
  headers: Record<string, string>;
  body: unknown;
}

const NO_HEADERS: Record<string, string> = Object.freeze({}) as Record<string, string>;

/**
 * What a route requires of a request's session, checked once when the route
 * is declared (an unknown option or a bad `role` throws at startup), and
 * judged per request by the one implementation every adapter shares: 401 for
 * no session or a refused token, 503 with `Retry-After` when HelloJohn could
 * not be asked (logged where the token was checked), 403 `insufficient_role`
 * for a session without the role.
 *
 * @example
 * ```ts
 * const admins = AuthRequirement.from("requireAuth()", { role: "admin" });
 * const refusal = await admins.refusalFor(RequestState.of(req)!);
 * if (refusal !== null) res.writeHead(refusal.status, refusal.headers).end(JSON.stringify(refusal.body));
 * ```
 */
export class AuthRequirement {
  readonly #checkRevoked: boolean;
  readonly #roles: RoleRequirement | undefined;
  readonly #parties: TokenPartiesOptions | undefined;

  private constructor(checkRevoked: boolean, roles: RoleRequirement | undefined, parties: TokenPartiesOptions | undefined) {
    this.#checkRevoked = checkRevoked;
    this.#roles = roles;
    this.#parties = parties;
  }

  /** Checks `options` (`where` names the caller in errors, e.g. `requireAuth()`). */
  static from(where: string, options: RequireAuthOptions = {}): AuthRequirement {
    if (typeof options !== "object" || options === null) throw new TypeError(`${where} takes an options object`);
    assertKnownOptions(where, options, OPTION_NAMES);
    const roles = RoleRequirement.from(options.role, `${where} option "role"`);
    const { audience, authorizedParties } = options;
    const parties = audience !== undefined || authorizedParties !== undefined ? { audience, authorizedParties } : undefined;
    return new AuthRequirement(options.checkRevoked === true, roles, parties);
  }

  /** A requirement of a session with one of `roles` (or of any session, without roles), as `@Roles()` declares it. */
  static ofRoles(roles: RoleRequirement | undefined): AuthRequirement {
    return new AuthRequirement(false, roles, undefined);
  }

  /**
   * The refusal for a request whose session an adapter's middleware already
   * verified (`RequestState`), or `null` to let it through. Synchronous unless
   * `checkRevoked` has to ask HelloJohn.
   */
  refusalFor(state: RequestState): AuthRefusal | null | Promise<AuthRefusal | null> {
    const failure = RequestState.failureOf(state);
    if (failure !== null) return unavailable(failure);
    const token = RequestState.tokenOf(state);
    const auth = state.auth;
    if (auth === null || token === null) return unauthorized(RequestState.errorOf(state));
    // The route's own aud/azp first: a token they refuse needs no revocation check.
    const refused = this.#parties === undefined ? null : checkTokenParties(auth, this.#parties);
    if (refused !== null) return unauthorized(refused);
    if (!this.#checkRevoked) return this.#roleRefusal(auth);
    const checked = authenticateToken(state.client, token, { checkRevoked: true });
    return checked instanceof Promise ? checked.then((result) => this.judge(result)) : this.judge(checked);
  }

  /** The refusal for the outcome of `authenticateRequest` (which applied the audience and `checkRevoked` it was given), or `null`. */
  judge(authentication: RequestAuthentication): AuthRefusal | null {
    if (authentication.failure !== undefined) return unavailable(authentication.failure);
    if (authentication.auth === null) return unauthorized(authentication.error);
    return this.#roleRefusal(authentication.auth);
  }

  #roleRefusal(auth: VerifiedToken): AuthRefusal | null {
    const roles = this.#roles;
    if (roles === undefined || roles.admits(auth)) return null;
    return { status: 403, headers: NO_HEADERS, body: roles.forbiddenBody() };
  }
}

/** HelloJohn could not check the token: logged where it was checked, answered 503 with `Retry-After` (or a generic 500). */
function unavailable(failure: HelloJohnError): AuthRefusal {
  const { status, headers, body } = errorResponse(failure, { logger: null });
  return { status: status as AuthRefusal["status"], headers, body };
}

function unauthorized(error: TokenVerificationError | null): AuthRefusal {
  return { status: 401, headers: NO_HEADERS, body: unauthorizedBody(error) };
}
