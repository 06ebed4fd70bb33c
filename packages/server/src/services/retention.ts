import { ConsoleStore } from "../console/console.store.js";
import type { Idempotency } from "../http/idempotency.js";
import type { Database } from "../store/database.js";
import type { SessionsStore } from "../store/sessions.store.js";

/** Expired sessions stay this long (for support questions about a recent sign-in), then go. */
export const EXPIRED_SESSION_RETENTION_MS = 24 * 3600 * 1000;
/** A used refresh token is kept this long to detect its reuse, then goes. */
export const USED_REFRESH_TOKEN_RETENTION_MS = 7 * 24 * 3600 * 1000;
const BATCH = 1000;

/** What one sweep deleted. */
export interface SweepResult {
  sessions: number;
  refreshTokens: number;
  idempotencyKeys: number;
  /** Console login links and console sessions (the admin console's own sign-ins). */
  consoleLoginLinks: number;
  consoleSessions: number;
}

/**
 * Keeps per-user data bounded: deletes expired sessions, stale refresh tokens,
 * idempotency records past their replay window and the console's expired login
 * links and sessions, in small batches so no sweep holds a lock or the event
 * loop for long.
 */
export class Retention {
  readonly #console = new ConsoleStore();

  constructor(
    private readonly database: Database,
    private readonly sessions: SessionsStore,
    private readonly idempotency: Idempotency,
  ) {}

  async sweep(now = Date.now()): Promise<SweepResult> {
    const db = this.database.db;
    const drain = async (step: () => Promise<number>): Promise<number> => {
      let total = 0;
      for (;;) {
        const deleted = await step();
        total += deleted;
        if (deleted < BATCH) return total;
        await new Promise((resolve) => setImmediate(resolve));
      }
    };
    return {
      refreshTokens: await drain(() => this.sessions.deleteStaleRefreshTokens(db, now, now - USED_REFRESH_TOKEN_RETENTION_MS, BATCH)),
      sessions: await drain(() => this.sessions.deleteExpired(db, now - EXPIRED_SESSION_RETENTION_MS, BATCH)),
      idempotencyKeys: await drain(() => this.idempotency.sweepBatch(now, BATCH)),
      consoleLoginLinks: await drain(() => this.#console.deleteExpiredLinks(db, now - EXPIRED_SESSION_RETENTION_MS, BATCH)),
      consoleSessions: await drain(() => this.#console.deleteExpiredSessions(db, now - EXPIRED_SESSION_RETENTION_MS, BATCH)),
    };
  }
}
