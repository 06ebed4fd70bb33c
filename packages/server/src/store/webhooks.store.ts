import type { Selectable } from "kysely";
import type { Keyset } from "../domain/cursor.js";
import type { WebhookAttempt, WebhookDelivery, WebhookEndpoint } from "../domain/models.js";
import type { Database } from "./database.js";
import type { WebhookAttemptsTable, WebhookDeliveriesTable, WebhookEndpointsTable } from "./events.schema.js";
import type { Executor } from "./schema.js";

export type WebhookEndpointRow = Selectable<WebhookEndpointsTable>;
export type WebhookDeliveryRow = Selectable<WebhookDeliveriesTable>;
export type WebhookAttemptRow = Selectable<WebhookAttemptsTable>;
/** A due delivery with what is needed to send it. */
export type DueDelivery = WebhookDeliveryRow & { event_type: string; event_payload: string; event_created_at: number };

/** An endpoint row as a domain value (its sealed secrets stay behind). */
export function toWebhookEndpoint(row: Omit<WebhookEndpointRow, "position_cursor">): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: JSON.parse(row.event_types) as string[],
    disabled: row.disabled === 1,
    disabledReason: row.disabled_reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** An attempt row as a domain value. */
export function toWebhookAttempt(row: WebhookAttemptRow): WebhookAttempt {
  return {
    id: row.id,
    attemptedAt: row.attempted_at,
    statusCode: row.status_code,
    latencyMs: row.latency_ms,
    succeeded: row.succeeded === 1,
    responseExcerpt: row.response_excerpt,
    error: row.error,
  };
}

/** A delivery row, with its event's type and its attempts, as a domain value. */
export function toWebhookDelivery(row: WebhookDeliveryRow & { event_type: string }, attempts: WebhookAttemptRow[]): WebhookDelivery {
  return {
    id: row.id,
    endpointId: row.endpoint_id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status as WebhookDelivery["status"],
    attemptCount: row.attempt_count,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    attempts: attempts.map(toWebhookAttempt),
  };
}

/** SQL for webhook endpoints, their deliveries and the attempts made. */
export class WebhooksStore {
  constructor(private readonly database: Database) {}

  async insertEndpoint(db: Executor, row: WebhookEndpointRow): Promise<void> {
    await db.insertInto("webhook_endpoints").values(row).execute();
  }

  findEndpoint(db: Executor, tenantId: string, id: string, lock = false): Promise<WebhookEndpointRow | undefined> {
    const query = db.selectFrom("webhook_endpoints").selectAll().where("tenant_id", "=", tenantId).where("id", "=", id);
    return (lock ? this.database.forUpdate(query) : query).executeTakeFirst();
  }

  /** An endpoint by ID alone, for the delivery worker (which serves every tenant). */
  endpointById(db: Executor, id: string): Promise<WebhookEndpointRow | undefined> {
    return db.selectFrom("webhook_endpoints").selectAll().where("id", "=", id).executeTakeFirst();
  }

  async updateEndpoint(db: Executor, id: string, changes: Partial<WebhookEndpointRow>): Promise<void> {
    await db.updateTable("webhook_endpoints").set(changes).where("id", "=", id).execute();
  }

  /** Deletes an endpoint with its deliveries and their attempts. */
  async deleteEndpoint(db: Executor, tenantId: string, id: string): Promise<void> {
    await db.deleteFrom("webhook_attempts").where("tenant_id", "=", tenantId).where("endpoint_id", "=", id).execute();
    await db.deleteFrom("webhook_deliveries").where("tenant_id", "=", tenantId).where("endpoint_id", "=", id).execute();
    await db.deleteFrom("webhook_endpoints").where("tenant_id", "=", tenantId).where("id", "=", id).execute();
  }

  endpointsPage(db: Executor, tenantId: string, limit: number, after: Keyset | undefined): Promise<WebhookEndpointRow[]> {
    let query = db.selectFrom("webhook_endpoints").selectAll().where("tenant_id", "=", tenantId);
    if (after !== undefined) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(after.createdAt, after.id)));
    return query
      .orderBy("created_at", "desc")
      .orderBy("id", "desc")
      .limit(limit + 1)
      .execute();
  }

  async countEndpoints(db: Executor, tenantId: string): Promise<number> {
    const row = await db
      .selectFrom("webhook_endpoints")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("tenant_id", "=", tenantId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Tenants with at least one enabled endpoint. */
  async tenantsWithEndpoints(db: Executor): Promise<string[]> {
    return (await db.selectFrom("webhook_endpoints").select("tenant_id").distinct().where("disabled", "=", 0).execute()).map((r) => r.tenant_id);
  }

  /** The tenant's events after `position`, oldest first: what an endpoint has not been given yet. */
  eventsAfter(db: Executor, tenantId: string, position: number, limit: number): Promise<Array<{ id: string; type: string; position: number; erased: number }>> {
    return db
      .selectFrom("events")
      .select(["id", "type", "position", "erased"])
      .where("tenant_id", "=", tenantId)
      .where("position", ">", position)
      .orderBy("position", "asc")
      .limit(limit)
      .execute();
  }

  /** Moves the endpoint's feed cursor, if this owner still holds its lease. */
  async advanceCursor(db: Executor, endpointId: string, owner: string, position: number): Promise<boolean> {
    const result = await db.updateTable("webhook_endpoints").set({ position_cursor: position }).where("id", "=", endpointId).where("lease_owner", "=", owner).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertDeliveries(db: Executor, rows: WebhookDeliveryRow[]): Promise<void> {
    if (rows.length > 0) await db.insertInto("webhook_deliveries").values(rows).execute();
  }

  /**
   * Leases up to `limit` enabled endpoints that have work (a due delivery, or
   * events past their cursor) and no live lease, to `owner` until `leaseUntil`. Rows another instance is claiming at
   * the same moment are skipped, not waited for.
   */
  async claimEndpoints(db: Executor, owner: string, now: number, leaseUntil: number, limit: number, exclude: readonly string[]): Promise<string[]> {
    let query = db
      .selectFrom("webhook_endpoints as e")
      .select("e.id")
      .where("e.disabled", "=", 0)
      .where((eb) => eb.or([eb("e.lease_until", "is", null), eb("e.lease_until", "<", now)]))
      .where((eb) =>
        eb.or([
          eb.exists(
            eb.selectFrom("webhook_deliveries as d").select("d.id").whereRef("d.endpoint_id", "=", "e.id").where("d.status", "=", "pending").where("d.next_attempt_at", "<=", now),
          ),
          eb.exists(eb.selectFrom("events as ev").select("ev.id").whereRef("ev.tenant_id", "=", "e.tenant_id").whereRef("ev.position", ">", "e.position_cursor")),
        ]),
      );
    if (exclude.length > 0) query = query.where("e.id", "not in", exclude);
    const rows = await this.database.forUpdateSkipLocked(query.limit(limit)).execute();
    const ids = rows.map((r) => r.id);
    if (ids.length > 0) await db.updateTable("webhook_endpoints").set({ lease_owner: owner, lease_until: leaseUntil }).where("id", "in", ids).execute();
    return ids;
  }

  /** Extends a lease this owner still holds; false when it was lost (expired and taken). */
  async renewLease(db: Executor, endpointId: string, owner: string, leaseUntil: number): Promise<boolean> {
    const result = await db
      .updateTable("webhook_endpoints")
      .set({ lease_until: leaseUntil })
      .where("id", "=", endpointId)
      .where("lease_owner", "=", owner)
      .where("disabled", "=", 0)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async releaseLease(db: Executor, endpointId: string, owner: string): Promise<void> {
    await db.updateTable("webhook_endpoints").set({ lease_owner: null, lease_until: null }).where("id", "=", endpointId).where("lease_owner", "=", owner).execute();
  }

  /** The endpoint's due deliveries, lowest feed position first. */
  due(db: Executor, endpointId: string, now: number, limit: number): Promise<DueDelivery[]> {
    return db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("events as ev", "ev.id", "d.event_id")
      .selectAll("d")
      .select(["ev.type as event_type", "ev.payload as event_payload", "ev.created_at as event_created_at"])
      .where("d.endpoint_id", "=", endpointId)
      .where("d.status", "=", "pending")
      .where("d.next_attempt_at", "<=", now)
      .orderBy("d.position", "asc")
      .limit(limit)
      .execute();
  }

  async insertAttempt(db: Executor, row: WebhookAttemptRow): Promise<void> {
    await db.insertInto("webhook_attempts").values(row).execute();
  }

  /** False when the delivery no longer exists. */
  async updateDelivery(db: Executor, id: string, changes: Partial<WebhookDeliveryRow>): Promise<boolean> {
    const result = await db.updateTable("webhook_deliveries").set(changes).where("id", "=", id).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  findDelivery(db: Executor, tenantId: string, endpointId: string, id: string, lock = false): Promise<WebhookDeliveryRow | undefined> {
    const query = db.selectFrom("webhook_deliveries").selectAll().where("tenant_id", "=", tenantId).where("endpoint_id", "=", endpointId).where("id", "=", id);
    return (lock ? this.database.forUpdate(query) : query).executeTakeFirst();
  }

  deliveriesPage(db: Executor, tenantId: string, endpointId: string, limit: number, after: Keyset | undefined): Promise<Array<WebhookDeliveryRow & { event_type: string }>> {
    let query = db
      .selectFrom("webhook_deliveries as d")
      .innerJoin("events as ev", "ev.id", "d.event_id")
      .selectAll("d")
      .select("ev.type as event_type")
      .where("d.tenant_id", "=", tenantId)
      .where("d.endpoint_id", "=", endpointId);
    if (after !== undefined) query = query.where((eb) => eb(eb.refTuple("d.created_at", "d.id"), "<", eb.tuple(after.createdAt, after.id)));
    return query
      .orderBy("d.created_at", "desc")
      .orderBy("d.id", "desc")
      .limit(limit + 1)
      .execute();
  }

  async countDeliveries(db: Executor, tenantId: string, endpointId: string): Promise<number> {
    const row = await db
      .selectFrom("webhook_deliveries")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("tenant_id", "=", tenantId)
      .where("endpoint_id", "=", endpointId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async eventTypeOf(db: Executor, eventId: string): Promise<string | undefined> {
    return (await db.selectFrom("events").select("type").where("id", "=", eventId).executeTakeFirst())?.type;
  }

  /** Every attempt of these deliveries, oldest first. */
  attemptsOf(db: Executor, deliveryIds: readonly string[]): Promise<WebhookAttemptRow[]> {
    if (deliveryIds.length === 0) return Promise.resolve([]);
    return db.selectFrom("webhook_attempts").selectAll().where("delivery_id", "in", deliveryIds).orderBy("attempted_at", "asc").orderBy("id", "asc").execute();
  }

  /** Deletes deliveries (and their attempts) created before `cutoff`, as their events expire. */
  async purgeBefore(db: Executor, cutoff: number): Promise<void> {
    await db
      .deleteFrom("webhook_attempts")
      .where("delivery_id", "in", (eb) => eb.selectFrom("webhook_deliveries").select("id").where("created_at", "<", cutoff))
      .execute();
    await db.deleteFrom("webhook_deliveries").where("created_at", "<", cutoff).execute();
  }
}
