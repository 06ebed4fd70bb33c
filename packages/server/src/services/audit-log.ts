import { newId } from "../crypto/ids.js";
import type { AuditStore } from "../store/audit.store.js";
import type { Executor } from "../store/schema.js";
import type { RequestContext } from "./context.js";

/** Writes audit events inside the caller's transaction, so they commit or roll back with the change. */
export class AuditLog {
  constructor(private readonly store: AuditStore) {}

  record(db: Executor, ctx: RequestContext, type: string, subjectUserId: string | null, data: Record<string, unknown> = {}): Promise<void> {
    return this.store.insert(db, {
      id: newId("evt"),
      tenant_id: ctx.tenantId,
      type,
      actor_type: ctx.actor.type,
      actor_id: ctx.actor.id,
      subject_user_id: subjectUserId,
      ip_address: ctx.ip,
      user_agent: ctx.userAgent,
      data: JSON.stringify(data),
      created_at: Date.now(),
    });
  }

  /**
   * Counts an event on one row per `account` and `windowMs`-long window (the
   * first occurrence's actor, IP and user agent; `count` for the rest), so a
   * flood of failed sign-ins writes a handful of rows, not one each.
   */
  recordCounted(
    db: Executor,
    ctx: RequestContext,
    type: string,
    subjectUserId: string | null,
    account: string,
    windowMs: number,
    data: Record<string, unknown> = {},
  ): Promise<void> {
    const now = Date.now();
    const windowStart = now - (now % windowMs);
    return this.store.upsertCounted(db, {
      id: newId("evt"),
      tenant_id: ctx.tenantId,
      type,
      actor_type: ctx.actor.type,
      actor_id: ctx.actor.id,
      subject_user_id: subjectUserId,
      ip_address: ctx.ip,
      user_agent: ctx.userAgent,
      data: JSON.stringify({ ...data, window_start: new Date(windowStart).toISOString(), window_end: new Date(windowStart + windowMs).toISOString() }),
      created_at: now,
      aggregate_key: `${type}:${account}:${windowStart}`,
    });
  }
}
