import type { User } from "../domain/models.js";
import { sql, type ExpressionBuilder, type RawBuilder, type Selectable } from "kysely";
import type { Keyset } from "../domain/cursor.js";
import type { Executor, Schema, UsersTable } from "./schema.js";
import type { Database, UserMatch } from "./database.js";

export type UserRow = Selectable<UsersTable>;

/** A user row as a domain value. */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.email_verified === 1,
    username: row.username,
    firstName: row.first_name,
    lastName: row.last_name,
    phoneNumber: row.phone_number,
    avatarUrl: row.avatar_url,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSignInAt: row.last_sign_in_at,
    disabled: row.disabled === 1,
  };
}

/** Filters a user list or count by. */
export interface UserFilters {
  search?: string;
  status?: "active" | "disabled";
  orgId?: string;
}

/**
 * How a page is found. `scan` walks the tenant's users newest first through an
 * index and tests each row, stopping after `limit + 1` matches: cheap when matches
 * are common. `matches` starts from the index-found matches (search, membership)
 * and sorts them: cheap when they are few. {@link UsersStore.plan} picks one.
 */
export type PagePlan = "scan" | "matches";

/**
 * How many of the tenant's users (in page order, after the cursor) a page
 * without a total examines before it decides the search is sparse there and
 * sorts its matches instead (see {@link UsersStore.pageWithoutTotal}).
 */
export const SCAN_BUDGET = 5000;

const hasSearch = (filters: UserFilters): filters is UserFilters & { search: string } => filters.search !== undefined && filters.search !== "";

/** Row-by-row conditions for a `scan` page (and for counts no index can answer). */
function scanConditions(database: Database, tenantId: string, filters: UserFilters) {
  return (eb: ExpressionBuilder<Schema, "users">) => {
    const conditions = [eb("users.tenant_id", "=", tenantId)];
    if (filters.status !== undefined) conditions.push(eb("users.disabled", "=", filters.status === "disabled" ? 1 : 0));
    if (filters.orgId !== undefined) {
      // A correlated probe of the membership primary key per row, so a page stops early instead of reading every member first.
      conditions.push(
        eb.exists(eb.selectFrom("memberships").select("memberships.user_id").where("memberships.org_id", "=", filters.orgId).whereRef("memberships.user_id", "=", "users.id")),
      );
    }
    if (hasSearch(filters)) conditions.push(database.userSearchScan(eb, filters.search));
    return eb.and(conditions);
  };
}

/** SQL for users. Every query is scoped to one tenant. */
export class UsersStore {
  constructor(private readonly database: Database) {}

  /**
   * The users matching the index-backed filters (search, else organization) as
   * `(id, disabled, created_at)` rows, with the remaining filters applied; `undefined` when
   * no index narrows the list.
   */
  #matches(db: Executor, tenantId: string, filters: UserFilters) {
    let source: RawBuilder<UserMatch> | undefined;
    if (hasSearch(filters)) source = this.database.userSearchMatches(tenantId, filters.search);
    else if (filters.orgId !== undefined) {
      // The members with their users' creation time and status (copied in by migration 0012's
      // triggers): a page walks the index (org_id[, user_disabled], user_created_at, user_id).
      source = sql<UserMatch>`(select user_id as id, user_disabled as disabled, user_created_at as created_at
        from memberships where tenant_id = ${tenantId} and org_id = ${filters.orgId} and user_created_at is not null)`;
    }
    if (source === undefined) return undefined;
    let query = db.selectFrom(source.as("match"));
    if (filters.status !== undefined) query = query.where("match.disabled", "=", filters.status === "disabled" ? 1 : 0);
    if (hasSearch(filters) && filters.orgId !== undefined) {
      const orgId = filters.orgId;
      query = query.where((eb) =>
        eb.exists(eb.selectFrom("memberships").select("memberships.user_id").where("memberships.org_id", "=", orgId).whereRef("memberships.user_id", "=", "match.id")),
      );
    }
    return query;
  }

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

  /** The plan when it does not depend on how common the search term is; `undefined` when it does (an indexed search). */
  #fixedPlan(db: Executor, tenantId: string, filters: UserFilters): PagePlan | undefined {
    if (this.#matches(db, tenantId, filters) === undefined) return "scan";
    // An organization's members come newest first from an index: a page reads `limit + 1` of them.
    if (!hasSearch(filters)) return "matches";
    return undefined;
  }

  /**
   * The same page as `page(…, plan(…, total))`, without knowing the total: an
   * indexed search first scans at most `budget` of the tenant's users after
   * `after`, newest first. That answers the page when it finds `limit + 1`
   * matches (the term is common) or reaches the tenant's last user; otherwise the
   * term is sparse there, and sorting its matches is cheap. Either way the cost
   * no longer grows with the number of matches.
   */
  async pageWithoutTotal(db: Executor, tenantId: string, filters: UserFilters, limit: number, after: Keyset | undefined, budget = SCAN_BUDGET): Promise<UserRow[]> {
    const fixed = this.#fixedPlan(db, tenantId, filters);
    if (fixed !== undefined) return this.page(db, tenantId, filters, limit, after, fixed);
    const floor = await this.#windowFloor(db, tenantId, after, budget);
    const rows = await this.pageQuery(db, tenantId, filters, limit, after, "scan", floor).execute();
    if (rows.length > limit || floor === undefined) return rows;
    return this.page(db, tenantId, filters, limit, after, "matches");
  }

  /**
   * The key of the `budget`-th user of the tenant after `after`, newest first:
   * the last one a budgeted scan examines; `undefined` when fewer remain. A walk
   * of `budget` entries of the (tenant_id, created_at, id) index, whatever the page's depth.
   */
  async #windowFloor(db: Executor, tenantId: string, after: Keyset | undefined, budget: number): Promise<Keyset | undefined> {
    let query = db.selectFrom("users").select(["users.created_at", "users.id"]).where("users.tenant_id", "=", tenantId);
    if (after !== undefined) query = query.where((eb) => eb(eb.refTuple("users.created_at", "users.id"), "<", eb.tuple(after.createdAt, after.id)));
    const row = await query
      .orderBy("users.created_at", "desc")
      .orderBy("users.id", "desc")
      .limit(1)
      .offset(budget - 1)
      .executeTakeFirst();
    return row === undefined ? undefined : { createdAt: row.created_at, id: row.id };
  }

  /**
   * Picks the cheaper way to find a page from the exact number of matches
   * (`total`) and the tenant's size: sorting `total` matches costs about `total`,
   * a scan costs about `(limit + 1) × tenantSize / total` rows.
   */
  async plan(db: Executor, tenantId: string, filters: UserFilters, limit: number, total: number): Promise<PagePlan> {
    const fixed = this.#fixedPlan(db, tenantId, filters);
    if (fixed !== undefined) return fixed;
    const tenantSize = await this.count(db, tenantId, {});
    return total * total <= (limit + 1) * tenantSize ? "matches" : "scan";
  }

  /**
   * The query for one page, newest first, strictly after `after`: a keyset
   * seek on (created_at, id), never OFFSET, so a deep page costs what the
   * first one does. It fetches `limit + 1` rows so the caller knows whether more exist.
   * A `scan` stops at `floor` (inclusive) when given.
   */
  pageQuery(db: Executor, tenantId: string, filters: UserFilters, limit: number, after: Keyset | undefined, plan: PagePlan = "scan", floor?: Keyset) {
    const matches = plan === "matches" ? this.#matches(db, tenantId, filters) : undefined;
    if (matches !== undefined) {
      // The page's IDs from the matches alone, then those rows by primary key.
      let ids = matches.select("match.id");
      if (after !== undefined) ids = ids.where((eb) => eb(eb.refTuple("match.created_at", "match.id"), "<", eb.tuple(after.createdAt, after.id)));
      ids = ids
        .orderBy("match.created_at", "desc")
        .orderBy("match.id", "desc")
        .limit(limit + 1);
      return db.selectFrom("users").selectAll("users").where("users.id", "in", ids).orderBy("users.created_at", "desc").orderBy("users.id", "desc");
    }
    let query = db
      .selectFrom("users")
      .selectAll("users")
      .where(scanConditions(this.database, tenantId, filters));
    if (after !== undefined) {
      query = query.where((eb) => eb(eb.refTuple("users.created_at", "users.id"), "<", eb.tuple(after.createdAt, after.id)));
    }
    if (floor !== undefined) {
      query = query.where((eb) => eb(eb.refTuple("users.created_at", "users.id"), ">=", eb.tuple(floor.createdAt, floor.id)));
    }
    return query
      .orderBy("users.created_at", "desc")
      .orderBy("users.id", "desc")
      .limit(limit + 1);
  }

  page(db: Executor, tenantId: string, filters: UserFilters, limit: number, after: Keyset | undefined, plan: PagePlan = "scan"): Promise<UserRow[]> {
    return this.pageQuery(db, tenantId, filters, limit, after, plan).execute();
  }

  /**
   * The exact number of users matching `filters`. Without a search or an
   * organization it sums the tenant's counter rows (`user_counts`), so it costs
   * the same at ten users and at a million; an organization filter sums the
   * organization's counter rows (`org_member_counts`) likewise; a search counts
   * the index-found matches (trigram search): a cost that grows with the matches,
   * not with the tenant. Only a search shorter than three characters scans.
   */
  async count(db: Executor, tenantId: string, filters: UserFilters): Promise<number> {
    if (!hasSearch(filters) && filters.orgId === undefined) {
      let query = db
        .selectFrom("user_counts")
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("n"), eb.lit(0)).as("n"))
        .where("tenant_id", "=", tenantId);
      if (filters.status !== undefined) query = query.where("disabled", "=", filters.status === "disabled" ? 1 : 0);
      return Number((await query.executeTakeFirstOrThrow()).n);
    }
    if (!hasSearch(filters) && filters.orgId !== undefined) {
      // The organization's counter rows (migration 0012), scoped to the tenant: another tenant's organization counts 0.
      let query = db
        .selectFrom("org_member_counts")
        .select((eb) => eb.fn.coalesce(eb.fn.sum<number>("n"), eb.lit(0)).as("n"))
        .where("tenant_id", "=", tenantId)
        .where("org_id", "=", filters.orgId);
      if (filters.status !== undefined) query = query.where("disabled", "=", filters.status === "disabled" ? 1 : 0);
      return Number((await query.executeTakeFirstOrThrow()).n);
    }
    const matches = this.#matches(db, tenantId, filters);
    const row =
      matches === undefined
        ? await db
            .selectFrom("users")
            .select((eb) => eb.fn.countAll().as("n"))
            .where(scanConditions(this.database, tenantId, filters))
            .executeTakeFirstOrThrow()
        : await matches.select((eb) => eb.fn.countAll().as("n")).executeTakeFirstOrThrow();
    return Number(row.n);
  }
}
