import type { Selectable } from "kysely";
import type { FeedEvent } from "../domain/models.js";
import type { EventsTable } from "./events.schema.js";
import type { Executor } from "./schema.js";

/** What an erased event's payload becomes. */
const ERASED_PAYLOAD = JSON.stringify({ data: {} });

export type EventRow = Selectable<EventsTable>;

/** An event row as a domain value: its stored payload is the event's `data` (and `changed_fields`). */
export function toFeedEvent(row: Pick<EventRow, "id" | "type" | "payload" | "created_at">): FeedEvent {
  const payload = JSON.parse(row.payload) as { data: Record<string, unknown>; changed_fields?: string[] };
  return { id: row.id, type: row.type, data: payload.data, changedFields: payload.changed_fields ?? null, createdAt: row.created_at };
}

/** SQL for reading and purging the events feed (appending is `Database.appendEvent`, on every change's path). */
export class EventsStore {
  /** The tenant's last committed position (0 before its first event). */
  async lastPosition(db: Executor, tenantId: string): Promise<number> {
    const row = await db.selectFrom("event_counters").select("last_position").where("tenant_id", "=", tenantId).executeTakeFirst();
    return Number(row?.last_position ?? 0);
  }

  find(db: Executor, tenantId: string, id: string): Promise<EventRow | undefined> {
    return db.selectFrom("events").selectAll().where("tenant_id", "=", tenantId).where("id", "=", id).executeTakeFirst();
  }

  /** Up to `limit + 1` events after `afterPosition`, oldest first, optionally of some types only. */
  page(db: Executor, tenantId: string, afterPosition: number, types: readonly string[] | undefined, limit: number): Promise<EventRow[]> {
    let query = db.selectFrom("events").selectAll().where("tenant_id", "=", tenantId).where("position", ">", afterPosition).where("erased", "=", 0);
    if (types !== undefined) query = query.where("type", "in", types);
    return query
      .orderBy("position", "asc")
      .limit(limit + 1)
      .execute();
  }

  /**
   * Erases the events that concern a user: their payloads are emptied and they
   * leave the feed (their IDs stay valid cursors); their webhook deliveries, and
   * the attempts of those, are deleted.
   */
  async eraseUser(db: Executor, tenantId: string, userId: string): Promise<void> {
    const events = db.selectFrom("events").select("events.id").where("events.tenant_id", "=", tenantId).where("events.user_id", "=", userId);
    const deliveries = db.selectFrom("webhook_deliveries").select("webhook_deliveries.id").where("webhook_deliveries.event_id", "in", events);
    await db.deleteFrom("webhook_attempts").where("delivery_id", "in", deliveries).execute();
    await db.deleteFrom("webhook_deliveries").where("event_id", "in", events).execute();
    await db.updateTable("events").set({ payload: ERASED_PAYLOAD, erased: 1 }).where("tenant_id", "=", tenantId).where("user_id", "=", userId).execute();
  }

  /** Deletes events created before `cutoff`; returns how many. */
  async purgeBefore(db: Executor, cutoff: number): Promise<number> {
    const result = await db.deleteFrom("events").where("created_at", "<", cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
