import type { VerifiedToken } from "../tokens/verify-token.interface.js";

/** The JSON body of a 403 for a session that lacks the required role. */
export interface InsufficientRoleBody {
  error: { type: "permission_error"; code: "insufficient_role"; message: string };
}

/**
 * A role requirement of `requireAuth({ role })` or `@Roles()`, checked once
 * when the route is declared. `role` is one role or a list of which any one
 * suffices; anything else is a `TypeError` naming `option`, so a typo fails at
 * startup rather than letting requests through.
 *
 * @example
 * ```ts
 * const admins = RoleRequirement.from("admin", 'requireAuth() option "role"');
 * if (!admins?.admits(auth)) res.writeHead(403).end(JSON.stringify(admins.forbiddenBody()));
 * ```
 */
export class RoleRequirement {
  readonly roles: readonly string[];
  readonly #body: InsufficientRoleBody;

  private constructor(roles: readonly string[]) {
    this.roles = Object.freeze([...roles]);
    const wanted = roles.map((r) => JSON.stringify(r)).join(" or ");
    this.#body = {
      error: { type: "permission_error", code: "insufficient_role", message: `This route needs the ${wanted} role in the session's organization` },
    };
  }

  /** `undefined` when no role is required. */
  static from(role: unknown, option: string): RoleRequirement | undefined {
    if (role === undefined) return undefined;
    const roles = typeof role === "string" ? [role] : role;
    if (!Array.isArray(roles) || roles.length === 0 || !roles.every((r) => typeof r === "string" && r.trim() !== "")) {
      throw new TypeError(`${option} must be a non-empty role name or a non-empty array of them, got ${JSON.stringify(role)}`);
    }
    return new RoleRequirement(roles as string[]);
  }

  /** True when the session's organization role is one of the required roles. */
  admits(auth: VerifiedToken): boolean {
    return auth.orgRole !== null && this.roles.includes(auth.orgRole);
  }

  /** The 403 body: `{ error: { type: "permission_error", code: "insufficient_role", message } }`. */
  forbiddenBody(): InsufficientRoleBody {
    return this.#body;
  }
}
