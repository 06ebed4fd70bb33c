import { newId } from "../crypto/ids.js";
import { ApiError, invalid } from "../domain/api-error.js";
import { checkId } from "../domain/validation.js";
import { iso, wireSession, wireUser } from "../contract/wire.js";
import type { Database } from "../store/database.js";
import type { EventRow, EventsStore } from "../store/events.store.js";
import type { Executor } from "../store/schema.js";
import { toSession, type SessionsStore } from "../store/sessions.store.js";
import { toUser, type UserRow } from "../store/users.store.js";
import type { RequestContext } from "./context.js";

/** Every event type the API emits. */
export const EVENT_TYPES = [
  "user.created",
  "user.updated",
  "user.disabled",
  "user.enabled",
  "user.deleted",
  "session.created",
  "session.revoked",
  "organization.created",
  "organization.updated",
  "organization.deleted",
  "organization.member_added",
  "organization.member_removed",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Events are kept this long by default, then purged (with their deliveries). */
export const DEFAULT_EVENT_RETENTION_MS = 30 * 24 * 3600 * 1000;

const KNOWN_TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);

/** An event as the API and webhooks show it. */
export function wireEvent(row: Pick<EventRow, "id" | "type" | "payload" | "created_at">) {
  const payload = JSON.parse(row.payload) as { data: Record<string, unknown>; changed_fields?: string[] };
  return { id: row.id, type: row.type, created_at: iso(row.created_at), ...payload };
}

/** Parses `"user.created,user.deleted"`; unknown names are a 400 naming `param`. */
export function parseEventTypes(value: string | readonly string[], param: string): string[] {
  const types = (typeof value === "string" ? value.split(",") : [...value]).map((t) => t.trim()).filter((t) => t !== "");
  for (const type of types) {
    if (type !== "*" && !KNOWN_TYPES.has(type)) throw invalid(param, "invalid_event_type", `"${type}" is not an event type; known types: ${EVENT_TYPES.join(", ")}`);
  }
  if (types.length === 0) throw invalid(param, "invalid_event_type", `"${param}" needs at least one event type (or "*")`);
  return [...new Set(types)];
}

export interface EventsOptions {
  /** Write events at all. Only benchmarks turn this off, to measure the outbox's cost. */
  enabled: boolean;
  retentionMs: number;
}

/** What {@link EventsService} needs: its stores, options, and how to purge deliveries of purged events. */
export interface EventsServiceDeps {
  database: Database;
  store: EventsStore;
  sessions: SessionsStore;
  options: EventsOptions;
  purgeDeliveries: (cutoff: number) => Promise<void>;
}

/**
 * The outbox and the feed. Services call `emit` inside the transaction of the
 * change, as its last statement: the event (and one delivery per subscribed
 * webhook endpoint) commits or rolls back with the change.
 *
 * Feed order is commit order. A position is taken from the tenant's counter
 * row with an upsert that keeps the row locked until the transaction ends, so
 * a transaction that emits later also commits later and no reader can see
 * position n + 1 before n. The cost: emitting transactions of one tenant
 * serialize from their first emit to their commit, which is why `emit` comes
 * last. SQLite has a single writer, which gives the same order.
 */
export class EventsService {
  #onEmitted: (tenantId: string) => void = () => undefined;

  private readonly database: Database;
  private readonly store: EventsStore;
  private readonly sessions: SessionsStore;
  private readonly options: EventsOptions;
  private readonly purgeDeliveries: (cutoff: number) => Promise<void>;

  constructor(deps: EventsServiceDeps) {
    this.database = deps.database;
    this.store = deps.store;
    this.sessions = deps.sessions;
    this.options = deps.options;
    this.purgeDeliveries = deps.purgeDeliveries;
  }

  /** Called after each emit (before the commit): the delivery worker looks for work once the response is out. */
  onEmitted(listener: (tenantId: string) => void): void {
    this.#onEmitted = listener;
  }

  /**
   * Writes one event in the caller's transaction. Webhook deliveries are not
   * written here: each endpoint follows the feed with its own cursor (safe
   * because positions are commit order), which keeps the write path at two
   * statements whatever the number of endpoints.
   */
  async emit(trx: Executor, ctx: RequestContext, type: EventType, data: Record<string, unknown>, changedFields?: string[]): Promise<void> {
    if (!this.options.enabled) return;
    const subject = typeof data.id === "string" ? data.id : String(data.org_id ?? "");
    const userId = type.startsWith("user.") ? subject : typeof data.user_id === "string" ? data.user_id : null;
    const payload = JSON.stringify(changedFields === undefined ? { data } : { data, changed_fields: changedFields });
    await this.database.appendEvent(trx, { id: newId("evt"), tenant_id: ctx.tenantId, type, subject_id: subject, user_id: userId, payload, created_at: Date.now() });
    this.#onEmitted(ctx.tenantId);
  }

  /**
   * Erases a user's earlier events from the feed, and the webhook deliveries of
   * them, in the transaction that deletes the user: afterwards the feed holds
   * only the `user.deleted` event that follows, which carries nothing but the ID.
   */
  async eraseUser(trx: Executor, ctx: RequestContext, userId: string): Promise<void> {
    await this.store.eraseUser(trx, ctx.tenantId, userId);
  }

  /** `user.updated` with the fields the change named; a flip of `disabled` is also a disable or enable. */
  async userUpdated(trx: Executor, ctx: RequestContext, before: UserRow, after: UserRow, fields: string[], at: number): Promise<void> {
    await this.emit(trx, ctx, "user.updated", wireUser(toUser(after)), fields);
    if (before.disabled !== after.disabled) await this.userStatusChanged(trx, ctx, after, at);
  }

  /** `user.disabled` (and `session.revoked` for each session the disable revoked at `at`) or `user.enabled`. */
  async userStatusChanged(trx: Executor, ctx: RequestContext, user: UserRow, at: number): Promise<void> {
    await this.emit(trx, ctx, user.disabled === 1 ? "user.disabled" : "user.enabled", wireUser(toUser(user)));
    if (user.disabled === 1) await this.sessionsRevoked(trx, ctx, user.id, at);
  }

  /** `session.created` for a session just inserted in this transaction. */
  async sessionCreated(trx: Executor, ctx: RequestContext, sessionId: string): Promise<void> {
    const row = await this.sessions.find(trx, ctx.tenantId, sessionId);
    if (row !== undefined) await this.emit(trx, ctx, "session.created", { ...wireSession(toSession(row)), user_id: row.user_id });
  }

  /** `session.revoked` for each of the user's sessions revoked at `at` (one, or all of them by a disable). */
  async sessionsRevoked(trx: Executor, ctx: RequestContext, userId: string, at: number, sessionId?: string): Promise<void> {
    for (const row of await this.sessions.revokedAt(trx, ctx.tenantId, userId, at)) {
      if (sessionId !== undefined && row.id !== sessionId) continue;
      await this.emit(trx, ctx, "session.revoked", { ...wireSession(toSession(row)), user_id: row.user_id });
    }
  }

  /** The feed: events after `after` (an event ID), oldest first, in commit order. */
  async list(ctx: RequestContext, input: { types?: string; after?: string; limit?: number }) {
    const limit = input.limit ?? 50;
    const types = input.types === undefined ? undefined : parseEventTypes(input.types, "types");
    let afterPosition = 0;
    if (input.after !== undefined) {
      const after = await this.store.find(this.database.db, ctx.tenantId, checkId(input.after, "evt", "after"));
      if (after === undefined) {
        const days = Math.round(this.options.retentionMs / 86_400_000);
        throw new ApiError(404, "event_not_found", `No such event; events are kept for ${days} days, so restart from the beginning of the feed`, "after");
      }
      afterPosition = after.position;
    }
    const rows = await this.store.page(this.database.db, ctx.tenantId, afterPosition, types?.includes("*") ? undefined : types, limit);
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { data: items.map(wireEvent), next_cursor: rows.length > limit && last !== undefined ? last.id : null };
  }

  /** Deletes events past retention. */
  async purge(now = Date.now()): Promise<void> {
    const cutoff = now - this.options.retentionMs;
    await this.purgeDeliveries(cutoff);
    await this.store.purgeBefore(this.database.db, cutoff);
  }
}
