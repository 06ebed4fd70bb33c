import type { ExpressionBuilder, Selectable } from "kysely";
import { likeContains } from "./like-pattern.js";
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


function applyFilters(tenantId: string, filters: UserFilters) {
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
    if (filters.search !== undefined && filters.search !== "") {
      // Both columns are stored lower-cased, so lower-casing the needle makes the match case-insensitive.
      const needle = filters.search.toLowerCase();
      conditions.push(
        eb.or([eb("users.id", "=", filters.search), likeContains(eb.ref("users.email_lower"), needle), likeContains(eb.ref("users.name_lower"), needle)]),
      );
    }
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
    let query = db.selectFrom("users").selectAll().where(applyFilters(tenantId, filters));
    if (after !== undefined) {
      query = query.where((eb) => eb(eb.refTuple("users.created_at", "users.id"), "<", eb.tuple(after.createdAt, after.id)));
    }
    return query.orderBy("users.created_at", "desc").orderBy("users.id", "desc").limit(limit + 1);
  }

  page(db: Executor, tenantId: string, filters: UserFilters, limit: number, after: Keyset | undefined): Promise<UserRow[]> {
    return this.pageQuery(db, tenantId, filters, limit, after).execute();
  }

  async count(db: Executor, tenantId: string, filters: UserFilters): Promise<number> {
    const row = await db
      .selectFrom("users")
      .select((eb) => eb.fn.countAll().as("n"))
      .where(applyFilters(tenantId, filters))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
