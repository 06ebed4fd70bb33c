import type { Membership, Organization, UserMembership } from "../domain/models.js";
import type { Selectable } from "kysely";
import type { MembershipsTable, OrganizationsTable, Executor } from "./schema.js";
import type { Database } from "./database.js";
import type { Keyset } from "../domain/cursor.js";

export type OrganizationRow = Selectable<OrganizationsTable>;
/** A membership as the API knows it (without the user columns the 0012 triggers copy in). */
export type MembershipRow = Omit<Selectable<MembershipsTable>, "user_created_at" | "user_disabled">;

/** An organization row as a domain value. */
export function toOrganization(row: OrganizationRow): Organization {
  return { id: row.id, name: row.name, metadata: JSON.parse(row.metadata) as Record<string, unknown>, createdAt: row.created_at, updatedAt: row.updated_at };
}

/** A membership row as a domain value. */
export function toMembership(row: Pick<MembershipRow, "org_id" | "user_id" | "role" | "created_at">): Membership {
  return { orgId: row.org_id, userId: row.user_id, role: row.role, createdAt: row.created_at };
}

/** A membership row joined with its organization's name. */
export function toUserMembership(row: Pick<MembershipRow, "org_id" | "user_id" | "role" | "created_at"> & { org_name: string }): UserMembership {
  return { ...toMembership(row), orgName: row.org_name };
}

/** SQL for organizations and memberships. */
export class OrganizationsStore {
  constructor(private readonly database: Database) {}

  async insert(db: Executor, row: OrganizationRow): Promise<void> {
    await db.insertInto("organizations").values(row).execute();
  }

  find(db: Executor, tenantId: string, id: string, lock = false): Promise<OrganizationRow | undefined> {
    const query = db.selectFrom("organizations").selectAll().where("tenant_id", "=", tenantId).where("id", "=", id);
    return (lock ? this.database.forUpdate(query) : query).executeTakeFirst();
  }

  async update(db: Executor, tenantId: string, id: string, changes: Partial<OrganizationRow>): Promise<void> {
    await db.updateTable("organizations").set(changes).where("tenant_id", "=", tenantId).where("id", "=", id).execute();
  }

  async delete(db: Executor, tenantId: string, id: string): Promise<void> {
    await db.deleteFrom("memberships").where("tenant_id", "=", tenantId).where("org_id", "=", id).execute();
    await db.deleteFrom("organizations").where("tenant_id", "=", tenantId).where("id", "=", id).execute();
  }

  page(db: Executor, tenantId: string, limit: number, after: Keyset | undefined): Promise<OrganizationRow[]> {
    let query = db.selectFrom("organizations").selectAll().where("tenant_id", "=", tenantId);
    if (after !== undefined) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(after.createdAt, after.id)));
    return query
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit + 1)
      .execute();
  }

  async count(db: Executor, tenantId: string): Promise<number> {
    const row = await db
      .selectFrom("organizations")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async insertMembership(db: Executor, row: MembershipRow): Promise<void> {
    await db.insertInto("memberships").values(row).execute();
  }

  findMembership(db: Executor, tenantId: string, orgId: string, userId: string, lock = false): Promise<MembershipRow | undefined> {
    const query = db.selectFrom("memberships").selectAll().where("tenant_id", "=", tenantId).where("org_id", "=", orgId).where("user_id", "=", userId);
    return (lock ? this.database.forUpdate(query) : query).executeTakeFirst();
  }

  async updateMembershipRole(db: Executor, tenantId: string, orgId: string, userId: string, role: string): Promise<void> {
    await db.updateTable("memberships").set({ role }).where("tenant_id", "=", tenantId).where("org_id", "=", orgId).where("user_id", "=", userId).execute();
  }

  async deleteMembership(db: Executor, tenantId: string, orgId: string, userId: string): Promise<boolean> {
    const result = await db.deleteFrom("memberships").where("tenant_id", "=", tenantId).where("org_id", "=", orgId).where("user_id", "=", userId).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  }

  /** Members newest first; the keyset's `id` is the user ID. */
  membersPage(db: Executor, tenantId: string, orgId: string, limit: number, after: Keyset | undefined): Promise<MembershipRow[]> {
    let query = db.selectFrom("memberships").selectAll().where("tenant_id", "=", tenantId).where("org_id", "=", orgId);
    if (after !== undefined) query = query.where((eb) => eb(eb.refTuple("created_at", "user_id"), "<", eb.tuple(after.createdAt, after.id)));
    return query
      .orderBy("created_at", "desc")
      .orderBy("user_id", "desc")
      .limit(limit + 1)
      .execute();
  }

  async countMembers(db: Executor, tenantId: string, orgId: string): Promise<number> {
    const row = await db
      .selectFrom("memberships")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("tenant_id", "=", tenantId)
      .where("org_id", "=", orgId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  membershipsOfUser(db: Executor, tenantId: string, userId: string): Promise<(MembershipRow & { org_name: string })[]> {
    return db
      .selectFrom("memberships")
      .innerJoin("organizations", "organizations.id", "memberships.org_id")
      .selectAll("memberships")
      .select("organizations.name as org_name")
      .where("memberships.tenant_id", "=", tenantId)
      .where("memberships.user_id", "=", userId)
      .orderBy("memberships.created_at", "desc")
      .execute();
  }
}
