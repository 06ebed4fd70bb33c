import type { Session } from "../domain/models.js";
import type { Selectable } from "kysely";
import type { Keyset } from "../domain/cursor.js";
import type { Executor, RefreshTokensTable, SessionsTable } from "./schema.js";

export type SessionRow = Selectable<SessionsTable>;
export type RefreshTokenRow = Selectable<RefreshTokensTable>;

/** A session row as a domain value. */
export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.user_id,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
    ipAddress: row.ip_address,
    userAgent: row.user_agent,
    impersonator: row.impersonator_id === null ? null : { actorId: row.impersonator_id, reason: row.impersonation_reason ?? "" },
    organizationId: row.organization_id,
  };
}

/** SQL for sessions and their refresh tokens. */
export class SessionsStore {
  async insert(db: Executor, session: SessionRow): Promise<void> {
    await db.insertInto("sessions").values(session).execute();
  }

  find(db: Executor, tenantId: string, id: string): Promise<SessionRow | undefined> {
    return db.selectFrom("sessions").selectAll().where("tenant_id", "=", tenantId).where("id", "=", id).executeTakeFirst();
  }

  /** A user's sessions, newest first, `limit` at a time after the keyset position. */
  pageForUser(db: Executor, tenantId: string, userId: string, limit: number, after: Keyset | undefined): Promise<SessionRow[]> {
    let query = db.selectFrom("sessions").selectAll().where("tenant_id", "=", tenantId).where("user_id", "=", userId);
    if (after !== undefined) query = query.where((eb) => eb(eb.refTuple("created_at", "id"), "<", eb.tuple(after.createdAt, after.id)));
    return query.orderBy("created_at", "desc").orderBy("id", "desc").limit(limit).execute();
  }

  /** Deletes up to `batch` sessions that expired before `cutoff`; returns how many went. */
  async deleteExpired(db: Executor, cutoff: number, batch: number): Promise<number> {
    const result = await db
      .deleteFrom("sessions")
      .where("id", "in", (eb) => eb.selectFrom("sessions").select("id").where("expires_at", "<", cutoff).limit(batch))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /**
   * Deletes up to `batch` refresh tokens that expired before `now`, or were
   * used before `usedBefore` (kept until then to detect their reuse).
   */
  async deleteStaleRefreshTokens(db: Executor, now: number, usedBefore: number, batch: number): Promise<number> {
    const result = await db
      .deleteFrom("refresh_tokens")
      .where("id", "in", (eb) =>
        eb
          .selectFrom("refresh_tokens")
          .select("id")
          .where((w) => w.or([w("expires_at", "<", now), w("used_at", "<", usedBefore)]))
          .limit(batch),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  async countForUser(db: Executor, tenantId: string, userId: string): Promise<number> {
    const row = await db
      .selectFrom("sessions")
      .select((eb) => eb.fn.countAll().as("n"))
      .where("tenant_id", "=", tenantId)
      .where("user_id", "=", userId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async setOrganization(db: Executor, id: string, organizationId: string | null): Promise<void> {
    await db.updateTable("sessions").set({ organization_id: organizationId }).where("id", "=", id).execute();
  }

  async touch(db: Executor, id: string, at: number): Promise<void> {
    await db.updateTable("sessions").set({ last_used_at: at }).where("id", "=", id).execute();
  }

  /** Revokes one session and its refresh tokens. */
  async revoke(db: Executor, tenantId: string, sessionId: string, at: number): Promise<void> {
    await db.updateTable("sessions").set({ revoked_at: at }).where("tenant_id", "=", tenantId).where("id", "=", sessionId).where("revoked_at", "is", null).execute();
    await db.updateTable("refresh_tokens").set({ revoked_at: at }).where("tenant_id", "=", tenantId).where("session_id", "=", sessionId).where("revoked_at", "is", null).execute();
  }

  /** Revokes every session and refresh token of a user; returns how many sessions were live. */
  async revokeAllForUser(db: Executor, tenantId: string, userId: string, at: number): Promise<number> {
    const result = await db
      .updateTable("sessions")
      .set({ revoked_at: at })
      .where("tenant_id", "=", tenantId)
      .where("user_id", "=", userId)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    await db.updateTable("refresh_tokens").set({ revoked_at: at }).where("tenant_id", "=", tenantId).where("user_id", "=", userId).where("revoked_at", "is", null).execute();
    return Number(result.numUpdatedRows);
  }

  /** The user's sessions revoked at exactly `at` (by the revocation that just ran in this transaction). */
  revokedAt(db: Executor, tenantId: string, userId: string, at: number): Promise<SessionRow[]> {
    return db.selectFrom("sessions").selectAll().where("tenant_id", "=", tenantId).where("user_id", "=", userId).where("revoked_at", "=", at).orderBy("id").execute();
  }

  async insertRefreshToken(db: Executor, token: RefreshTokenRow): Promise<void> {
    await db.insertInto("refresh_tokens").values(token).execute();
  }

  findRefreshToken(db: Executor, tenantId: string, tokenHash: string): Promise<RefreshTokenRow | undefined> {
    return db.selectFrom("refresh_tokens").selectAll().where("tenant_id", "=", tenantId).where("token_hash", "=", tokenHash).executeTakeFirst();
  }

  /** Marks a refresh token used, only if it still is unused: false means someone else won the race. */
  async consumeRefreshToken(db: Executor, id: string, at: number): Promise<boolean> {
    const result = await db.updateTable("refresh_tokens").set({ used_at: at }).where("id", "=", id).where("used_at", "is", null).executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }
}
