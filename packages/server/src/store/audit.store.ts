import type { AuditEvent } from "../domain/models.js";
import { sql, type Insertable, type Selectable } from "kysely";
import type { Keyset } from "../domain/cursor.js";
import type { AuditEventsTable, Executor } from "./schema.js";

export type AuditEventRow = Selectable<AuditEventsTable>;

/** An audit row as a domain value. */
export function toAuditEvent(row: AuditEventRow): AuditEvent {
  return {
    id: row.id,
    type: row.type,
    actor: { type: row.actor_type, id: row.actor_id },
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    data: JSON.parse(row.data) as Record<string, unknown>,
    count: row.count,
    createdAt: row.created_at,
  };
}

/** SQL for the audit log. */
export class AuditStore {
  async insert(db: Executor, row: Insertable<AuditEventsTable>): Promise<void> {
    await db.insertInto("audit_events").values(row).execute();
  }

  /** Inserts the row with `count = 1`, or adds one to the count of the row with the same aggregate key. */
  async upsertCounted(db: Executor, row: Insertable<AuditEventsTable> & { aggregate_key: string }): Promise<void> {
    await db
      .insertInto("audit_events")
      .values({ ...row, count: 1 })
      .onConflict((oc) => oc.columns(["tenant_id", "aggregate_key"]).doUpdateSet({ count: sql<number>`audit_events.count + 1` }))
      .execute();
  }

  /** Events about the user, newest first, `limit` at a time after the keyset position. */
  pageAboutUser(db: Executor, tenantId: string, userId: string, limit: number, after: Keyset | undefined): Promise<AuditEventRow[]> {
    let query = db.selectFrom("audit_events").selectAll().where("tenant_id", "=", tenantId).where("subject_user_id", "=", userId);
    if (after !== undefined) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(after.createdAt, after.id)));
    return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
  }

  /** Events the user did themselves, newest first, `limit` at a time after the keyset position. */
  pageByUser(db: Executor, tenantId: string, userId: string, limit: number, after: Keyset | undefined): Promise<AuditEventRow[]> {
    let query = db.selectFrom("audit_events").selectAll().where("tenant_id", "=", tenantId).where("actor_id", "=", userId).where("actor_type", "=", "user");
    if (after !== undefined) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(after.createdAt, after.id)));
    return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
  }

  async hasEvent(db: Executor, tenantId: string, type: string, subjectUserId: string): Promise<boolean> {
    const row = await db
      .selectFrom("audit_events")
      .select("id")
      .where("tenant_id", "=", tenantId)
      .where("type", "=", type)
      .where("subject_user_id", "=", subjectUserId)
      .executeTakeFirst();
    return row !== undefined;
  }

  async deleteAboutUser(db: Executor, tenantId: string, userId: string): Promise<void> {
    await db
      .deleteFrom("audit_events")
      .where("tenant_id", "=", tenantId)
      .where((eb) => eb.or([eb("subject_user_id", "=", userId), eb.and([eb("actor_type", "=", "user"), eb("actor_id", "=", userId)])]))
      .execute();
  }
}
