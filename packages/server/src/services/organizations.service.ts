import { newId } from "../crypto/ids.js";
import { ApiError, invalid, notFound } from "../domain/api-error.js";
import { paginate, type CursorCodec, type PageQuery } from "../domain/cursor.js";
import type { Deleted, Membership, Organization, Page } from "../domain/models.js";
import { mergePatch, withoutNulls } from "../domain/merge-patch.js";
import { checkId, checkMetadataDepth, serializeMetadata } from "../domain/validation.js";
import type { Database } from "../store/database.js";
import { toOrganization, toMembership, type OrganizationRow, type OrganizationsStore } from "../store/organizations.store.js";
import type { Executor } from "../store/schema.js";
import type { UsersStore } from "../store/users.store.js";
import { OrganizationName, Role } from "../contract/schemas.js";
import type { AuditLog } from "./audit-log.js";
import type { EventsService } from "./events.service.js";
import { mutation, type MutationContext, type RequestContext } from "./context.js";

/** A new organization. */
export interface NewOrganization {
  name: string;
  metadata?: Record<string, unknown>;
}

/** A change to an organization: only the fields given change; `metadata` is a JSON merge patch. */
export interface OrganizationChanges {
  name?: string;
  metadata?: Record<string, unknown>;
}

/** A user to add to an organization, with a role (default `member`). */
export interface NewMember {
  userId: string;
  role?: string;
}

function checkOrgName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === "" || trimmed.length > OrganizationName.maxLength) throw invalid("name", "invalid_name", `"name" must be 1 to ${OrganizationName.maxLength} characters`);
  return trimmed;
}

const ROLE = new RegExp(`^[a-z][a-z0-9_:-]{0,${Role.maxLength - 1}}$`);

function checkRole(role: string): string {
  if (!ROLE.test(role)) {
    throw invalid("role", "invalid_role", `"role" must be 1 to ${Role.maxLength} lowercase letters, digits, "_", ":" or "-"`);
  }
  return role;
}

/** What {@link OrganizationsService} needs: its stores, the audit log, cursors and events. */
export interface OrganizationsServiceDeps {
  database: Database;
  store: OrganizationsStore;
  users: UsersStore;
  audit: AuditLog;
  cursors: CursorCodec;
  events: EventsService;
}

/** Organizations and memberships, so that users can be listed by organization. */
export class OrganizationsService {
  private readonly database: Database;
  private readonly store: OrganizationsStore;
  private readonly users: UsersStore;
  private readonly audit: AuditLog;
  private readonly cursors: CursorCodec;
  private readonly events: EventsService;

  constructor(deps: OrganizationsServiceDeps) {
    this.database = deps.database;
    this.store = deps.store;
    this.users = deps.users;
    this.audit = deps.audit;
    this.cursors = deps.cursors;
    this.events = deps.events;
  }

  async #mustFind(db: Executor, tenantId: string, orgId: string, lock = false): Promise<OrganizationRow> {
    const row = await this.store.find(db, tenantId, checkId(orgId, "org", "org_id"), lock);
    if (row === undefined) throw notFound("organization");
    return row;
  }

  async create(ctx: MutationContext<Organization>, input: NewOrganization): Promise<Organization> {
    checkMetadataDepth(input.metadata);
    const now = Date.now();
    const row: OrganizationRow = {
      id: newId("org"),
      tenant_id: ctx.tenantId,
      name: checkOrgName(input.name),
      metadata: serializeMetadata(withoutNulls(input.metadata ?? {})),
      created_at: now,
      updated_at: now,
    };
    return mutation(this.database.db, ctx, async (trx) => {
      await this.store.insert(trx, row);
      await this.audit.record(trx, ctx, "organization.created", null, { org_id: row.id });
      const organization = toOrganization(row);
      await this.events.organizationCreated(trx, ctx, organization);
      return organization;
    });
  }

  async get(ctx: RequestContext, orgId: string): Promise<Organization> {
    return toOrganization(await this.#mustFind(this.database.db, ctx.tenantId, orgId));
  }

  async list(ctx: RequestContext, input: PageQuery): Promise<Page<Organization>> {
    const limit = input.limit ?? 50;
    const scope = { list: "organizations" };
    const after = input.cursor === undefined ? undefined : this.cursors.decode(input.cursor, scope);
    const [rows, total] = await Promise.all([this.store.page(this.database.db, ctx.tenantId, limit, after), this.store.count(this.database.db, ctx.tenantId)]);
    const { items, next } = paginate(rows, limit, (row) => ({ createdAt: row.created_at, id: row.id }));
    return { items: items.map(toOrganization), nextCursor: next === null ? null : this.cursors.encode(next, scope), total };
  }

  async update(ctx: MutationContext<Organization>, orgId: string, input: OrganizationChanges): Promise<Organization> {
    const name = input.name === undefined ? undefined : checkOrgName(input.name);
    if (input.metadata !== undefined) {
      checkMetadataDepth(input.metadata);
      serializeMetadata(input.metadata);
    }
    return mutation(this.database.db, ctx, async (trx) => {
      const current = await this.#mustFind(trx, ctx.tenantId, orgId, true);
      const changes: Partial<OrganizationRow> = { updated_at: Date.now() };
      if (name !== undefined) changes.name = name;
      if (input.metadata !== undefined) changes.metadata = serializeMetadata(mergePatch(JSON.parse(current.metadata), input.metadata));
      await this.store.update(trx, ctx.tenantId, current.id, changes);
      const fields = (Object.keys(input) as (keyof OrganizationChanges)[]).filter((key) => input[key] !== undefined).sort();
      const organization = toOrganization({ ...current, ...changes });
      await this.audit.record(trx, ctx, "organization.updated", null, { org_id: current.id, fields });
      await this.events.organizationUpdated(trx, ctx, organization, fields);
      return organization;
    });
  }

  async delete(ctx: MutationContext<Deleted>, orgId: string): Promise<Deleted> {
    return mutation(this.database.db, ctx, async (trx) => {
      const current = await this.#mustFind(trx, ctx.tenantId, orgId, true);
      await this.store.delete(trx, ctx.tenantId, current.id);
      await this.audit.record(trx, ctx, "organization.deleted", null, { org_id: current.id });
      await this.events.organizationDeleted(trx, ctx, current.id);
      return { id: orgId, deleted: true as const };
    });
  }

  async addMember(ctx: MutationContext<Membership>, orgId: string, input: NewMember): Promise<Membership> {
    const userId = checkId(input.userId, "usr", "user_id");
    const role = checkRole(input.role ?? "member");
    const row = { tenant_id: ctx.tenantId, org_id: orgId, user_id: userId, role, created_at: Date.now() };
    return mutation(this.database.db, ctx, async (trx) => {
      const org = await this.#mustFind(trx, ctx.tenantId, orgId);
      // The user's row lock (which delete takes too): no membership outlives a user deleted meanwhile.
      if ((await this.users.find(trx, ctx.tenantId, userId, true)) === undefined) throw notFound("user");
      await this.store.insertMembership(trx, { ...row, org_id: org.id });
      await this.audit.record(trx, ctx, "organization.member_added", userId, { org_id: org.id, role });
      const membership = toMembership({ ...row, org_id: org.id });
      await this.events.memberAdded(trx, ctx, membership);
      return membership;
    }).catch((error: unknown) => {
      if (this.database.isUniqueViolation(error)) throw new ApiError(409, "already_member", "The user is already a member", "user_id");
      throw error;
    });
  }

  /**
   * Changes a member's role. Tokens already issued keep the old role until
   * they are refreshed (at most one access-token lifetime); the next refresh
   * carries the new one.
   */
  async updateMember(ctx: MutationContext<Membership>, orgId: string, userId: string, input: { role: string }): Promise<Membership> {
    checkId(userId, "usr", "user_id");
    const role = checkRole(input.role);
    return mutation(this.database.db, ctx, async (trx) => {
      const org = await this.#mustFind(trx, ctx.tenantId, orgId);
      const current = await this.store.findMembership(trx, ctx.tenantId, org.id, userId, true);
      if (current === undefined) throw notFound("membership");
      if (current.role !== role) {
        await this.store.updateMembershipRole(trx, ctx.tenantId, org.id, userId, role);
        await this.audit.record(trx, ctx, "organization.member_updated", userId, { org_id: org.id, role, previous_role: current.role });
      }
      return toMembership({ ...current, role });
    });
  }

  async removeMember(ctx: MutationContext<Deleted>, orgId: string, userId: string): Promise<Deleted> {
    checkId(userId, "usr", "user_id");
    return mutation(this.database.db, ctx, async (trx) => {
      const org = await this.#mustFind(trx, ctx.tenantId, orgId);
      if (!(await this.store.deleteMembership(trx, ctx.tenantId, org.id, userId))) throw notFound("membership");
      await this.audit.record(trx, ctx, "organization.member_removed", userId, { org_id: org.id });
      await this.events.memberRemoved(trx, ctx, org.id, userId);
      return { id: userId, deleted: true as const };
    });
  }

  async listMembers(ctx: RequestContext, orgId: string, input: PageQuery): Promise<Page<Membership>> {
    const org = await this.#mustFind(this.database.db, ctx.tenantId, orgId);
    const limit = input.limit ?? 50;
    const scope = { members: org.id };
    const after = input.cursor === undefined ? undefined : this.cursors.decode(input.cursor, scope);
    const [rows, total] = await Promise.all([
      this.store.membersPage(this.database.db, ctx.tenantId, org.id, limit, after),
      this.store.countMembers(this.database.db, ctx.tenantId, org.id),
    ]);
    const { items, next } = paginate(rows, limit, (row) => ({ createdAt: row.created_at, id: row.user_id }));
    return { items: items.map(toMembership), nextCursor: next === null ? null : this.cursors.encode(next, scope), total };
  }
}
