import type { Selectable } from "kysely";
import type { EventsTable } from "./events.schema.js";
import type { Executor } from "./schema.js";

export type EventRow = Selectable<EventsTable>;

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
    let query = db.selectFrom("events").selectAll().where("tenant_id", "=", tenantId).where("position", ">", afterPosition);
    if (types !== undefined) query = query.where("type", "in", types);
    return query.orderBy("position", "asc").limit(limit + 1).execute();
  }

  /** Deletes events created before `cutoff`; returns how many. */
  async purgeBefore(db: Executor, cutoff: number): Promise<number> {
    const result = await db.deleteFrom("events").where("created_at", "<", cutoff).executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
