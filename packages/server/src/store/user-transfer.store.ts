import type { Executor } from "./schema.js";
import type { UserRow } from "./users.store.js";

/** Rows of one multi-row INSERT: 16 columns × 500 stays under both dialects' bound-parameter limits. */
const ROWS_PER_STATEMENT = 500;

/** A membership as a user's export lists it. */
export interface ExportedMembershipRow {
  user_id: string;
  org_id: string;
  org_name: string;
  role: string;
  created_at: number;
}

/** SQL for bulk import and export of users. */
export class UserTransferStore {
  /**
   * Inserts the rows with multi-row INSERTs in the caller's transaction. A row
   * whose email (or ID) already exists in the tenant is skipped, not an error,
   * even when another writer inserted it a moment ago: `ON CONFLICT DO NOTHING`
   * (same SQL in SQLite and PostgreSQL). Returns the IDs actually inserted.
   */
  /** Of these rows, the IDs and lower-cased emails that some user of the tenant already has. */
  async existing(db: Executor, tenantId: string, rows: readonly Pick<UserRow, "id" | "email_lower">[]): Promise<Set<string>> {
    if (rows.length === 0) return new Set();
    const found = await db
      .selectFrom("users")
      .select(["id", "email_lower"])
      .where("tenant_id", "=", tenantId)
      .where((eb) =>
        eb.or([
          eb(
            "id",
            "in",
            rows.map((r) => r.id),
          ),
          eb(
            "email_lower",
            "in",
            rows.map((r) => r.email_lower),
          ),
        ]),
      )
      .execute();
    return new Set(found.flatMap((r) => [r.id, r.email_lower]));
  }

  async insertMany(db: Executor, rows: readonly UserRow[]): Promise<Set<string>> {
    const inserted = new Set<string>();
    for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
      const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
      const returned = await db
        .insertInto("users")
        .values(chunk)
        .onConflict((oc) => oc.doNothing())
        .returning("id")
        .execute();
      for (const row of returned) inserted.add(row.id);
    }
    return inserted;
  }

  /** The memberships (with organization names) of a page of users, in one query. */
  membershipsOf(db: Executor, tenantId: string, userIds: readonly string[]): Promise<ExportedMembershipRow[]> {
    if (userIds.length === 0) return Promise.resolve([]);
    return db
      .selectFrom("memberships")
      .innerJoin("organizations", "organizations.id", "memberships.org_id")
      .select(["memberships.user_id", "memberships.org_id", "organizations.name as org_name", "memberships.role", "memberships.created_at"])
      .where("memberships.tenant_id", "=", tenantId)
      .where("memberships.user_id", "in", userIds)
      .orderBy("memberships.created_at", "asc")
      .execute();
  }
}
