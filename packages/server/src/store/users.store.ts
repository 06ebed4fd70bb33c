import type { ExpressionBuilder, Selectable } from "kysely";
import type { Keyset } from "../domain/cursor.js";
import type { Executor, Schema, UsersTable } from "./schema.js";
import type { Database } from "./database.js";

export type UserRow = Selectable<UsersTable>;

/** Filters a user list or count by. */
export interface UserFilters {
  search?: string;
  status?: "active" | "disabled";
  orgId?: string;
}


function applyFilters(database: Database, tenantId: string, filters: UserFilters) {
  return (eb: ExpressionBuilder<Schema, "users">) => {
    const conditions = [eb("users.tenant_id", "=", tenantId)];
    if (filters.status !== undefined) conditions.push(eb("users.disabled", "=", filters.status === "disabled" ? 1 : 0));
    if (filters.orgId !== undefined) {
      conditions.push(
        eb(
          "users.id",
          "in",
          eb.selectFrom("memberships").select("memberships.user_id").where("memberships.tenant_id", "=", tenantId).where("memberships.org_id", "=", filters.orgId),
        ),
      );
    }
    if (filters.search !== undefined && filters.search !== "") conditions.push(database.userSearch(eb, filters.search));
    return eb.and(conditions);
  };
}

/** SQL for users. Every query is scoped to one tenant. */
export class UsersStore {
  constructor(private readonly database: Database) {}

  insert(db: Executor, row: UserRow): Promise<unknown> {
    return db.insertInto("users").values(row).execute();
  }

  find(db: Executor, tenantId: string, id: string, lock = false): Promise<UserRow | undefined> {
    const query = db.selectFrom("users").selectAll().where("tenant_id", "=", tenantId).where("id", "=", id);
    return (lock ? this.database.forUpdate(query) : query).executeTakeFirst();
  }

  findByEmail(db: Executor, tenantId: string, emailLower: string): Promise<UserRow | undefined> {
    return db.selectFrom("users").selectAll().where("tenant_id", "=", tenantId).where("email_lower", "=", emailLower).executeTakeFirst();
  }

  async update(db: Executor, tenantId: string, id: string, changes: Partial<UserRow>): Promise<void> {
    await db.updateTable("users").set(changes).where("tenant_id", "=", tenantId).where("id", "=", id).execute();
  }

  async delete(db: Executor, tenantId: string, id: string): Promise<void> {
    await db.deleteFrom("users").where("tenant_id", "=", tenantId).where("id", "=", id).execute();
  }

  /**
   * The query for one page, newest first, strictly after `after`: a keyset
   * seek on (created_at, id), never OFFSET, so a deep page costs what the
   * first one does. It fetches `limit + 1` rows so the caller knows whether more exist.
   */
  pageQuery(db: Executor, tenantId: string, filters: UserFilters, limit: number, after: Keyset | undefined) {
    let query = db.selectFrom("users").selectAll().where(applyFilters(this.database, tenantId, filters));
    if (after !== undefined) {
      query = query.where((eb) => eb(eb.refTuple("users.created_at", "users.id"), "<", eb.tuple(after.createdAt, after.id)));
    }
    return query.orderBy("users.created_at", "desc").orderBy("users.id", "desc").limit(limit + 1);
  }

  page(db: Executor, tenantId: string, filters: UserFilters, limit: number, after: Keyset | undefined): Promise<UserRow[]> {
    return this.pageQuery(db, tenantId, filters, limit, after).execute();
  }

  /**
   * The exact number of users matching `filters`. Without a search or an
   * organization it sums the tenant's counter rows (`user_counts`), so it costs
   * the same at ten users and at a million; otherwise it counts the index-backed
   * matches (trigram search, membership), a cost that grows with the matches, not the tenant.
   */
  async count(db: Executor, tenantId: string, filters: UserFilters): Promise<number> {
    if ((filters.search === undefined || filters.search === "") && filters.orgId === undefined) {
      let query = db.selectFrom("user_counts").select((eb) => eb.fn.coalesce(eb.fn.sum<number>("n"), eb.lit(0)).as("n")).where("tenant_id", "=", tenantId);
      if (filters.status !== undefined) query = query.where("disabled", "=", filters.status === "disabled" ? 1 : 0);
      return Number((await query.executeTakeFirstOrThrow()).n);
    }
    const row = await db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll().as("n"))
      .where(applyFilters(this.database, tenantId, filters))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
