import { ApiError } from "../domain/api-error.js";
import { checkId } from "../domain/validation.js";
import type { OrganizationsStore } from "../store/organizations.store.js";
import type { Executor } from "../store/schema.js";

/** The organization an access token speaks for, and the user's role in it. */
export interface TokenOrganization {
  id: string;
  role: string;
}

/**
 * Resolves the active organization of a session from the memberships table,
 * at the moment a token is issued: a role change or a removal shows in the
 * next token (the next refresh), never later.
 */
export class OrganizationContext {
  constructor(private readonly organizations: OrganizationsStore) {}

  /** The membership for a new session; a user who is not a member is refused (403 `not_a_member`). */
  async select(db: Executor, tenantId: string, userId: string, orgId: string): Promise<TokenOrganization> {
    const id = checkId(orgId, "org", "organization_id");
    const membership = await this.organizations.findMembership(db, tenantId, id, userId);
    if (membership === undefined) {
      throw new ApiError(403, "not_a_member", "The user is not a member of this organization", "organization_id");
    }
    return { id, role: membership.role };
  }

  /** The session's organization as it is now; `undefined` once the user is no longer a member. */
  async current(db: Executor, tenantId: string, userId: string, orgId: string | null): Promise<TokenOrganization | undefined> {
    if (orgId === null) return undefined;
    const membership = await this.organizations.findMembership(db, tenantId, orgId, userId);
    return membership === undefined ? undefined : { id: orgId, role: membership.role };
  }
}
