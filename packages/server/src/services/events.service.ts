import { newId } from "../crypto/ids.js";
import { ApiError, invalid } from "../domain/api-error.js";
import { checkId } from "../domain/validation.js";
// Event payloads are an outbound wire format, the same JSON the API answers:
// services hand this service domain values, and it maps them here, once.
import { wireEvent, wireMembership, wireOrganization, wireSession, wireUser } from "../contract/wire.js";
import type { FeedPage, Membership, Organization, User } from "../domain/models.js";
import type { Database } from "../store/database.js";
import { toFeedEvent, type EventRow, type EventsStore } from "../store/events.store.js";
import type { Executor } from "../store/schema.js";
import { toSession, type SessionsStore } from "../store/sessions.store.js";
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

/** The JSON body a webhook delivers for a stored event: the event as the feed lists it. */
export function webhookBody(row: Pick<EventRow, "id" | "type" | "payload" | "created_at">): string {
  return JSON.stringify(wireEvent(toFeedEvent(row)));
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
 * The outbox and the feed. Services call an emitter (`userCreated`,
 * `organizationUpdated`, …) with the domain value inside the transaction of
 * the change, as its last statement: the event commits or rolls back with the
 * change, its payload the object as the API shows it.
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
  async #emit(trx: Executor, ctx: RequestContext, type: EventType, data: Record<string, unknown>, changedFields?: string[]): Promise<void> {
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

  /** `user.created`. */
  async userCreated(trx: Executor, ctx: RequestContext, user: User): Promise<void> {
    await this.#emit(trx, ctx, "user.created", wireUser(user));
  }

  /** `user.updated` with the fields the change named; a flip of `disabled` is also a disable or enable. */
  async userUpdated(trx: Executor, ctx: RequestContext, before: User, after: User, fields: string[], at: number): Promise<void> {
    await this.#emit(trx, ctx, "user.updated", wireUser(after), fields);
    if (before.disabled !== after.disabled) await this.userStatusChanged(trx, ctx, after, at);
  }

  /** `user.disabled` (and `session.revoked` for each session the disable revoked at `at`) or `user.enabled`. */
  async userStatusChanged(trx: Executor, ctx: RequestContext, user: User, at: number): Promise<void> {
    await this.#emit(trx, ctx, user.disabled ? "user.disabled" : "user.enabled", wireUser(user));
    if (user.disabled) await this.sessionsRevoked(trx, ctx, user.id, at);
  }

  /** `user.deleted`: the ID only, since nothing else about the user remains. */
  async userDeleted(trx: Executor, ctx: RequestContext, userId: string): Promise<void> {
    await this.#emit(trx, ctx, "user.deleted", { id: userId, deleted: true });
  }

  /** `session.created` for a session just inserted in this transaction. */
  async sessionCreated(trx: Executor, ctx: RequestContext, sessionId: string): Promise<void> {
    const row = await this.sessions.find(trx, ctx.tenantId, sessionId);
    if (row !== undefined) await this.#emit(trx, ctx, "session.created", { ...wireSession(toSession(row)), user_id: row.user_id });
  }

  /** `session.revoked` for each of the user's sessions revoked at `at` (one, or all of them by a disable). */
  async sessionsRevoked(trx: Executor, ctx: RequestContext, userId: string, at: number, sessionId?: string): Promise<void> {
    for (const row of await this.sessions.revokedAt(trx, ctx.tenantId, userId, at)) {
      if (sessionId !== undefined && row.id !== sessionId) continue;
      await this.#emit(trx, ctx, "session.revoked", { ...wireSession(toSession(row)), user_id: row.user_id });
    }
  }

  /** `organization.created`. */
  async organizationCreated(trx: Executor, ctx: RequestContext, organization: Organization): Promise<void> {
    await this.#emit(trx, ctx, "organization.created", wireOrganization(organization));
  }

  /** `organization.updated` with the fields the change named. */
  async organizationUpdated(trx: Executor, ctx: RequestContext, organization: Organization, fields: string[]): Promise<void> {
    await this.#emit(trx, ctx, "organization.updated", wireOrganization(organization), fields);
  }

  /** `organization.deleted`: the ID only. */
  async organizationDeleted(trx: Executor, ctx: RequestContext, orgId: string): Promise<void> {
    await this.#emit(trx, ctx, "organization.deleted", { id: orgId, deleted: true });
  }

  /** `organization.member_added`. */
  async memberAdded(trx: Executor, ctx: RequestContext, membership: Membership): Promise<void> {
    await this.#emit(trx, ctx, "organization.member_added", wireMembership(membership));
  }

  /** `organization.member_removed`: which organization and user, nothing more. */
  async memberRemoved(trx: Executor, ctx: RequestContext, orgId: string, userId: string): Promise<void> {
    await this.#emit(trx, ctx, "organization.member_removed", { org_id: orgId, user_id: userId });
  }

  /** The feed: events after `after` (an event ID), oldest first, in commit order. */
  async list(ctx: RequestContext, input: { types?: string; after?: string; limit?: number }): Promise<FeedPage> {
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
    return { items: items.map(toFeedEvent), nextCursor: rows.length > limit && last !== undefined ? last.id : null };
  }

  /** Deletes events past retention. */
  async purge(now = Date.now()): Promise<void> {
    const cutoff = now - this.options.retentionMs;
    await this.purgeDeliveries(cutoff);
    await this.store.purgeBefore(this.database.db, cutoff);
  }
}
