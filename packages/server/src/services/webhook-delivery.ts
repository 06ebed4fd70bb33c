import { newId } from "../crypto/ids.js";
import type { MasterKey } from "../crypto/master-key.js";
import type { Database } from "../store/database.js";
import type { DueDelivery, WebhookDeliveryRow, WebhookEndpointRow, WebhooksStore } from "../store/webhooks.store.js";
import { webhookBody } from "./events.service.js";
import type { AttemptResult, WebhookSender } from "./webhook-sender.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Delay before each attempt, counted from the previous one: immediately, then
 * 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h (about 3.2 days).
 */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR];

/** Settings of the in-process delivery worker. */
export interface DeliveryOptions {
  retrySchedule: readonly number[];
  timeoutMs: number;
  /** Endpoints delivered to at once by this instance (each endpoint gets one connection, in feed order). */
  concurrency: number;
  pollIntervalMs: number;
}

/** Deliveries made to one endpoint before its lease is handed back, so busy endpoints take turns. */
const DELIVERIES_PER_LEASE = 200;
/** Events turned into deliveries, and due deliveries read, per query. */
const BATCH = 50;
/** How often the set of tenants with endpoints is re-read (it decides which writes wake the worker at once). */
const TENANTS_REFRESH_MS = 5 * SECOND;

/**
 * Delivers pending webhook deliveries from inside the server process.
 *
 * Each instance leases endpoints, not single deliveries: an endpoint is
 * claimed with `FOR UPDATE SKIP LOCKED` (several instances never wait on or
 * duplicate each other). The lease holder turns the tenant's events past the
 * endpoint's cursor into deliveries (the feed is in commit order, so the
 * cursor never skips one), then sends its due deliveries one at a time in feed
 * order, renewing the lease whenever less than one attempt's worth is left. A crashed instance's
 * lease runs out and another instance (or the restarted one) sends whatever
 * was in flight again, so delivery is at least once. A slow endpoint holds
 * one of `concurrency` slots for at most `timeoutMs` per attempt and gives
 * up its lease on the first failure, so it never holds up the others.
 */
export class WebhookDeliveryWorker {
  readonly #owner = newId("req").replace("req_", "instance_");
  readonly #active = new Set<string>();
  readonly #running = new Set<Promise<void>>();
  readonly #leaseMs: number;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<void> | undefined;
  #again = false;
  #pending = false;
  #started = false;
  #closed = false;
  #tenants = new Set<string>();
  #tenantsReadAt = 0;

  constructor(
    private readonly database: Database,
    private readonly store: WebhooksStore,
    private readonly master: MasterKey,
    private readonly sender: WebhookSender,
    private readonly options: DeliveryOptions,
  ) {
    // Long enough for one attempt and its bookkeeping; renewed before every attempt.
    this.#leaseMs = 2 * options.timeoutMs + SECOND;
  }

  start(): void {
    this.#started = true;
    this.#timer = setInterval(() => this.poke(), this.options.pollIntervalMs);
    this.#timer.unref();
    this.poke();
  }

  /** Notes an event of `tenantId`, committed or about to be: worth a look once the response is out, if the tenant has endpoints. */
  markEmitted(tenantId: string): void {
    if (this.#tenants.has(tenantId)) this.#pending = true;
  }

  /** Endpoints changed on this instance: re-read which tenants have some, and look for work. */
  endpointsChanged(): void {
    this.#tenantsReadAt = 0;
    this.poke();
  }

  /** Runs a tick soon if deliveries were queued since the last one. */
  pokeIfPending(): void {
    if (this.#pending) this.poke();
  }

  /** Looks for due deliveries now (ticks never overlap; a poke during one runs another after it). */
  poke(): void {
    if (!this.#started || this.#closed) return;
    if (this.#ticking !== undefined) {
      this.#again = true;
      return;
    }
    this.#ticking = this.#tick().finally(() => {
      this.#ticking = undefined;
      if (this.#again) {
        this.#again = false;
        this.poke();
      }
    });
  }

  async #tick(): Promise<void> {
    this.#pending = false;
    const now = Date.now();
    let claimed: string[];
    try {
      if (now - this.#tenantsReadAt >= TENANTS_REFRESH_MS) {
        this.#tenants = new Set(await this.store.tenantsWithEndpoints(this.database.db));
        this.#tenantsReadAt = now;
      }
      const free = this.options.concurrency - this.#active.size;
      if (free <= 0) return;
      claimed = await this.database.db.transaction().execute((trx) => this.store.claimEndpoints(trx, this.#owner, now, now + this.#leaseMs, free, [...this.#active]));
    } catch {
      return; // The database is away (or closing); the next poll tries again.
    }
    for (const endpointId of claimed) {
      this.#active.add(endpointId);
      const run: Promise<void> = this.#deliverTo(endpointId)
        .catch(() => undefined)
        .finally(() => {
          this.#active.delete(endpointId);
          this.#running.delete(run);
          this.poke();
        });
      this.#running.add(run);
    }
  }

  async #deliverTo(endpointId: string): Promise<void> {
    const db = this.database.db;
    let leaseUntil = 0; // Renewed before the first attempt: the claim's clock may have been read a while ago.
    try {
      let sent = 0;
      while (sent < DELIVERIES_PER_LEASE && !this.#closed) {
        const endpoint = await this.store.endpointById(db, endpointId);
        if (endpoint === undefined || endpoint.disabled === 1) return;
        const queued = await this.#queueNewEvents(endpoint);
        const due = await this.store.due(db, endpointId, Date.now(), BATCH);
        if (due.length === 0 && !queued) return;
        const secrets = this.#secrets(endpoint, Date.now());
        for (const delivery of due) {
          const now = Date.now();
          if (this.#closed) return;
          // The lease must outlast this attempt (at most the timeout) and its bookkeeping: renew it when less is left.
          if (leaseUntil - now < this.options.timeoutMs + SECOND) {
            if (!(await this.store.renewLease(db, endpointId, this.#owner, now + this.#leaseMs))) return;
            leaseUntil = now + this.#leaseMs;
          }
          const body = webhookBody({ id: delivery.event_id, type: delivery.event_type, payload: delivery.event_payload, created_at: delivery.event_created_at });
          const result = await this.sender.send({ url: endpoint.url, id: delivery.event_id, body, secrets }, now);
          await this.#record(endpoint, delivery, result, now);
          sent++;
          // A failing endpoint gives its slot back; its deliveries wait for their retry time.
          if (!result.ok) return;
        }
      }
    } finally {
      await this.store.releaseLease(db, endpointId, this.#owner).catch(() => undefined);
    }
  }

  /** Turns the tenant's events past the endpoint's cursor into deliveries (those of wanted types); true when the cursor moved. */
  async #queueNewEvents(endpoint: WebhookEndpointRow): Promise<boolean> {
    const events = await this.store.eventsAfter(this.database.db, endpoint.tenant_id, endpoint.position_cursor, BATCH);
    const last = events[events.length - 1];
    if (last === undefined) return false;
    const wanted = new Set(JSON.parse(endpoint.event_types) as string[]);
    const now = Date.now();
    const deliveries: WebhookDeliveryRow[] = events
      // Erased events (their user was deleted) are passed over; the cursor still moves past them.
      .filter((event) => event.erased === 0 && (wanted.has("*") || wanted.has(event.type)))
      .map((event) => ({
        id: newId("whd"),
        tenant_id: endpoint.tenant_id,
        endpoint_id: endpoint.id,
        event_id: event.id,
        position: event.position,
        status: "pending",
        attempt_count: 0,
        schedule_index: 0,
        next_attempt_at: now,
        started_at: now,
        created_at: now,
        updated_at: now,
      }));
    return this.database.db.transaction().execute(async (trx) => {
      // Only the lease holder moves the cursor, so no event becomes two deliveries.
      if (!(await this.store.advanceCursor(trx, endpoint.id, this.#owner, last.position))) return false;
      await this.store.insertDeliveries(trx, deliveries);
      return true;
    });
  }

  #secrets(endpoint: WebhookEndpointRow, now: number): string[] {
    const secrets = [this.master.decrypt(endpoint.sealed_secret).toString("utf8")];
    if (endpoint.sealed_previous_secret !== null && (endpoint.previous_secret_expires_at ?? 0) > now) {
      secrets.push(this.master.decrypt(endpoint.sealed_previous_secret).toString("utf8"));
    }
    return secrets;
  }

  /** Records the attempt and moves the delivery on: done, retried later, or failed for good (which may disable the endpoint). */
  async #record(endpoint: WebhookEndpointRow, due: DueDelivery, result: AttemptResult, at: number): Promise<void> {
    const schedule = this.options.retrySchedule;
    await this.database.db.transaction().execute(async (trx) => {
      const now = Date.now();
      const attempts = { attempt_count: due.attempt_count + 1, updated_at: now };
      const next = due.schedule_index + 1;
      const delay = schedule[next];
      const changes: Partial<WebhookDeliveryRow> = result.ok
        ? { ...attempts, status: "succeeded", next_attempt_at: null }
        : delay !== undefined
          ? { ...attempts, schedule_index: next, next_attempt_at: now + delay }
          : { ...attempts, schedule_index: next, status: "failed", next_attempt_at: null };
      // A delivery erased during the attempt (its user or its endpoint deleted) leaves no trace.
      if (!(await this.store.updateDelivery(trx, due.id, changes))) return;
      await this.store.insertAttempt(trx, {
        id: newId("wha"),
        tenant_id: due.tenant_id,
        delivery_id: due.id,
        endpoint_id: due.endpoint_id,
        attempted_at: at,
        status_code: result.statusCode,
        latency_ms: result.latencyMs,
        succeeded: result.ok ? 1 : 0,
        response_excerpt: result.responseExcerpt,
        error: result.error,
      });
      if (result.ok) {
        await this.store.updateEndpoint(trx, endpoint.id, { last_success_at: now });
        return;
      }
      if (delay !== undefined) return;
      // Persistent failure: every attempt of this delivery failed and nothing reached the endpoint meanwhile.
      const current = await this.store.findEndpoint(trx, endpoint.tenant_id, endpoint.id);
      if (current !== undefined && current.disabled === 0 && (current.last_success_at ?? 0) < due.started_at) {
        const reason = `Every attempt of delivery ${due.id} failed (last: ${result.statusCode ?? result.error}) and no delivery succeeded meanwhile`;
        await this.store.updateEndpoint(trx, endpoint.id, { disabled: 1, disabled_reason: reason, updated_at: now });
      }
    });
  }

  /** Stops polling and waits for attempts in flight to be recorded. */
  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer !== undefined) clearInterval(this.#timer);
    await this.#ticking;
    await Promise.all([...this.#running]);
  }
}
