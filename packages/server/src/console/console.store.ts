import type { Selectable } from "kysely";
import type { ConsoleLoginLinksTable, ConsoleSessionsTable, Executor } from "../store/schema.js";

export type ConsoleLoginLinkRow = Selectable<ConsoleLoginLinksTable>;
export type ConsoleSessionRow = Selectable<ConsoleSessionsTable>;

/** SQL for the console's one-time login links and cookie sessions. */
export class ConsoleStore {
  async insertLink(db: Executor, row: ConsoleLoginLinkRow): Promise<void> {
    await db.insertInto("console_login_links").values(row).execute();
  }

  /**
   * Marks the link used if it is unused and unexpired, in one statement, so
   * two browsers racing for one link cannot both win; returns it when this call won.
   */
  async consumeLink(db: Executor, tokenHash: string, now: number): Promise<ConsoleLoginLinkRow | undefined> {
    const result = await db
      .updateTable("console_login_links")
      .set({ used_at: now })
      .where("token_hash", "=", tokenHash)
      .where("used_at", "is", null)
      .where("expires_at", ">", now)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return undefined;
    return db.selectFrom("console_login_links").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  }

  async insertSession(db: Executor, row: ConsoleSessionRow): Promise<void> {
    await db.insertInto("console_sessions").values(row).execute();
  }

  findSession(db: Executor, tokenHash: string): Promise<ConsoleSessionRow | undefined> {
    return db.selectFrom("console_sessions").selectAll().where("token_hash", "=", tokenHash).executeTakeFirst();
  }

  async touchSession(db: Executor, id: string, at: number): Promise<void> {
    await db.updateTable("console_sessions").set({ last_seen_at: at }).where("id", "=", id).execute();
  }

  async revokeSession(db: Executor, id: string, at: number): Promise<void> {
    await db.updateTable("console_sessions").set({ revoked_at: at }).where("id", "=", id).where("revoked_at", "is", null).execute();
  }

  /** Deletes up to `batch` login links that expired before `cutoff` (used or not). */
  async deleteExpiredLinks(db: Executor, cutoff: number, batch: number): Promise<number> {
    const result = await db
      .deleteFrom("console_login_links")
      .where("id", "in", (eb) => eb.selectFrom("console_login_links").select("id").where("expires_at", "<", cutoff).limit(batch))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Deletes up to `batch` console sessions that expired before `cutoff` (revoked ones expire too). */
  async deleteExpiredSessions(db: Executor, cutoff: number, batch: number): Promise<number> {
    const result = await db
      .deleteFrom("console_sessions")
      .where("id", "in", (eb) => eb.selectFrom("console_sessions").select("id").where("expires_at", "<", cutoff).limit(batch))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
