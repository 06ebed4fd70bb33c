import { newId } from "../crypto/ids.js";
import { WebhookDescription } from "../contract/schemas.js";
import type { MasterKey } from "../crypto/master-key.js";
import { generateWebhookSecret } from "../crypto/webhook-signature.js";
import { ApiError, invalid } from "../domain/api-error.js";
import { paginate, type CursorCodec, type PageQuery } from "../domain/cursor.js";
import type { Deleted, Page, WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from "../domain/models.js";
import { checkId } from "../domain/validation.js";
import { checkWebhookUrl } from "../domain/webhook-url.js";
import type { Database } from "../store/database.js";
import type { EventsStore } from "../store/events.store.js";
import type { Executor } from "../store/schema.js";
import { toWebhookDelivery, toWebhookEndpoint, type WebhookEndpointRow, type WebhooksStore } from "../store/webhooks.store.js";
import type { AuditLog } from "./audit-log.js";
import type { RequestContext } from "./context.js";
import { parseEventTypes } from "./events.service.js";

/** After a rotation the old secret keeps signing (next to the new one) this long, so receivers can switch over. */
export const PREVIOUS_SECRET_GRACE_MS = 24 * 3600 * 1000;

/** A new endpoint: where to deliver, which event types (`*` for all), and a note for people. */
export interface CreateEndpointInput {
  url: string;
  events: string[];
  description?: string | null;
}

/** A change to an endpoint: only the fields given change. */
export interface UpdateEndpointInput {
  url?: string;
  events?: string[];
  description?: string | null;
  disabled?: boolean;
}

function checkDescription(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  if (value.length > WebhookDescription.maxLength) throw invalid("description", "invalid_description", `"description" must be at most ${WebhookDescription.maxLength} characters`);
  return value;
}

const endpointNotFound = (): ApiError => new ApiError(404, "webhook_endpoint_not_found", "No such webhook endpoint");

/** What {@link WebhooksService} needs: its stores, the audit log, cursors, the master key and options. */
export interface WebhooksServiceDeps {
  database: Database;
  store: WebhooksStore;
  events: EventsStore;
  audit: AuditLog;
  cursors: CursorCodec;
  master: MasterKey;
  options: { allowPrivateNetworks: boolean; onChange: () => void };
}

/** Webhook endpoints (URL, wanted event types, signing secret), their deliveries and re-sends. */
export class WebhooksService {
  private readonly database: Database;
  private readonly store: WebhooksStore;
  private readonly events: EventsStore;
  private readonly audit: AuditLog;
  private readonly cursors: CursorCodec;
  private readonly master: MasterKey;
  private readonly options: { allowPrivateNetworks: boolean; onChange: () => void };

  constructor(deps: WebhooksServiceDeps) {
    this.database = deps.database;
    this.store = deps.store;
    this.events = deps.events;
    this.audit = deps.audit;
    this.cursors = deps.cursors;
    this.master = deps.master;
    this.options = deps.options;
  }

  async #mustFind(db: Executor, tenantId: string, endpointId: string, lock = false): Promise<WebhookEndpointRow> {
    const row = await this.store.findEndpoint(db, tenantId, checkId(endpointId, "whe", "endpoint_id"), lock);
    if (row === undefined) throw endpointNotFound();
    return row;
  }

  #seal(secret: string): string {
    return this.master.encrypt(Buffer.from(secret, "utf8"));
  }

  /** Creates an endpoint; the response is the only one that carries its `secret`. */
  async create(ctx: RequestContext, input: CreateEndpointInput): Promise<WebhookEndpointWithSecret> {
    const url = await checkWebhookUrl(input.url, this.options.allowPrivateNetworks);
    const events = parseEventTypes(input.events, "events");
    const secret = generateWebhookSecret();
    const now = Date.now();
    const row: Omit<WebhookEndpointRow, "position_cursor"> = {
      id: newId("whe"),
      tenant_id: ctx.tenantId,
      url,
      description: checkDescription(input.description),
      event_types: JSON.stringify(events),
      sealed_secret: this.#seal(secret),
      sealed_previous_secret: null,
      previous_secret_expires_at: null,
      disabled: 0,
      disabled_reason: null,
      last_success_at: null,
      lease_owner: null,
      lease_until: null,
      created_at: now,
      updated_at: now,
    };
    await this.database.db.transaction().execute(async (trx) => {
      // From the feed's last committed position on: later commits all come after it.
      await this.store.insertEndpoint(trx, { ...row, position_cursor: await this.events.lastPosition(trx, ctx.tenantId) });
      await this.audit.record(trx, ctx, "webhook_endpoint.created", null, { endpoint_id: row.id, url });
    });
    this.options.onChange();
    return { ...toWebhookEndpoint(row), secret };
  }

  async get(ctx: RequestContext, endpointId: string): Promise<WebhookEndpoint> {
    return toWebhookEndpoint(await this.#mustFind(this.database.db, ctx.tenantId, endpointId));
  }

  async list(ctx: RequestContext, input: PageQuery): Promise<Page<WebhookEndpoint>> {
    const limit = input.limit ?? 50;
    const scope = { list: "webhook_endpoints" };
    const after = input.cursor === undefined ? undefined : this.cursors.decode(input.cursor, scope);
    const db = this.database.db;
    const [rows, total] = await Promise.all([this.store.endpointsPage(db, ctx.tenantId, limit, after), this.store.countEndpoints(db, ctx.tenantId)]);
    const { items, next } = paginate(rows, limit, (row) => ({ createdAt: row.created_at, id: row.id }));
    return { items: items.map(toWebhookEndpoint), nextCursor: next === null ? null : this.cursors.encode(next, scope), total };
  }

  /** Changes URL, event types or description; `disabled: false` re-enables an endpoint disabled after persistent failure. */
  async update(ctx: RequestContext, endpointId: string, input: UpdateEndpointInput): Promise<WebhookEndpoint> {
    const url = input.url === undefined ? undefined : await checkWebhookUrl(input.url, this.options.allowPrivateNetworks);
    const events = input.events === undefined ? undefined : parseEventTypes(input.events, "events");
    const description = input.description === undefined ? undefined : checkDescription(input.description);
    const row = await this.database.db.transaction().execute(async (trx) => {
      const current = await this.#mustFind(trx, ctx.tenantId, endpointId, true);
      const changes: Partial<WebhookEndpointRow> = { updated_at: Date.now() };
      if (url !== undefined) changes.url = url;
      if (events !== undefined) changes.event_types = JSON.stringify(events);
      if (description !== undefined) changes.description = description;
      if (input.disabled !== undefined) {
        changes.disabled = input.disabled ? 1 : 0;
        changes.disabled_reason = input.disabled ? "Disabled through the API" : null;
        // Re-enabled: what happened while disabled is not delivered (it is in the feed); pending deliveries resume.
        if (!input.disabled && current.disabled === 1) changes.position_cursor = await this.events.lastPosition(trx, ctx.tenantId);
      }
      await this.store.updateEndpoint(trx, current.id, changes);
      const fields = (Object.keys(input) as (keyof UpdateEndpointInput)[]).filter((key) => input[key] !== undefined).sort();
      await this.audit.record(trx, ctx, "webhook_endpoint.updated", null, { endpoint_id: current.id, fields });
      return { ...current, ...changes };
    });
    this.options.onChange();
    return toWebhookEndpoint(row);
  }

  async delete(ctx: RequestContext, endpointId: string): Promise<Deleted> {
    await this.database.db.transaction().execute(async (trx) => {
      const current = await this.#mustFind(trx, ctx.tenantId, endpointId, true);
      await this.store.deleteEndpoint(trx, ctx.tenantId, current.id);
      await this.audit.record(trx, ctx, "webhook_endpoint.deleted", null, { endpoint_id: current.id });
    });
    this.options.onChange();
    return { id: endpointId, deleted: true };
  }

  /** A new secret, shown once; the old one keeps signing alongside it for 24 hours. */
  async rotateSecret(ctx: RequestContext, endpointId: string): Promise<WebhookEndpointWithSecret> {
    const secret = generateWebhookSecret();
    const row = await this.database.db.transaction().execute(async (trx) => {
      const current = await this.#mustFind(trx, ctx.tenantId, endpointId, true);
      const now = Date.now();
      const changes: Partial<WebhookEndpointRow> = {
        sealed_secret: this.#seal(secret),
        sealed_previous_secret: current.sealed_secret,
        previous_secret_expires_at: now + PREVIOUS_SECRET_GRACE_MS,
        updated_at: now,
      };
      await this.store.updateEndpoint(trx, current.id, changes);
      await this.audit.record(trx, ctx, "webhook_endpoint.secret_rotated", null, { endpoint_id: current.id });
      return { ...current, ...changes };
    });
    return { ...toWebhookEndpoint(row), secret };
  }

  /** The endpoint's deliveries, newest first, each with every attempt made. */
  async listDeliveries(ctx: RequestContext, endpointId: string, input: PageQuery): Promise<Page<WebhookDelivery>> {
    const endpoint = await this.#mustFind(this.database.db, ctx.tenantId, endpointId);
    const limit = input.limit ?? 50;
    const scope = { deliveries: endpoint.id };
    const after = input.cursor === undefined ? undefined : this.cursors.decode(input.cursor, scope);
    const db = this.database.db;
    const [rows, total] = await Promise.all([this.store.deliveriesPage(db, ctx.tenantId, endpoint.id, limit, after), this.store.countDeliveries(db, ctx.tenantId, endpoint.id)]);
    const { items, next } = paginate(rows, limit, (row) => ({ createdAt: row.created_at, id: row.id }));
    const attempts = await this.store.attemptsOf(
      db,
      items.map((d) => d.id),
    );
    return {
      items: items.map((d) =>
        toWebhookDelivery(
          d,
          attempts.filter((a) => a.delivery_id === d.id),
        ),
      ),
      nextCursor: next === null ? null : this.cursors.encode(next, scope),
      total,
    };
  }

  /** Queues a delivery again, now, with a fresh retry schedule (whatever its status). */
  async resend(ctx: RequestContext, endpointId: string, deliveryId: string): Promise<WebhookDelivery> {
    const id = checkId(deliveryId, "whd", "delivery_id");
    const delivery = await this.database.db.transaction().execute(async (trx) => {
      const endpoint = await this.#mustFind(trx, ctx.tenantId, endpointId);
      if (endpoint.disabled === 1) {
        throw new ApiError(409, "webhook_endpoint_disabled", "The endpoint is disabled; re-enable it with update({ disabled: false }) first", "endpoint_id");
      }
      const current = await this.store.findDelivery(trx, ctx.tenantId, endpoint.id, id, true);
      if (current === undefined) throw new ApiError(404, "webhook_delivery_not_found", "No such delivery for this endpoint");
      const now = Date.now();
      const changes = { status: "pending", schedule_index: 0, next_attempt_at: now, started_at: now, updated_at: now };
      await this.store.updateDelivery(trx, current.id, changes);
      await this.audit.record(trx, ctx, "webhook_delivery.resent", null, { endpoint_id: endpoint.id, delivery_id: current.id });
      return { ...current, ...changes };
    });
    this.options.onChange();
    const [eventType, attempts] = await Promise.all([this.store.eventTypeOf(this.database.db, delivery.event_id), this.store.attemptsOf(this.database.db, [delivery.id])]);
    return toWebhookDelivery({ ...delivery, event_type: eventType ?? "" }, attempts);
  }
}
