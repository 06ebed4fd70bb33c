import type { Kysely } from "kysely";
import type { Executor, Schema } from "../store/schema.js";

/** Who is making a request, and from where; every audit event records it. */
export interface RequestContext {
  tenantId: string;
  actor: { type: "api_key" | "user" | "anonymous" | "system" | "operator"; id: string | null };
  ip: string | null;
  userAgent: string | null;
  /**
   * Set when the request carries an `Idempotency-Key`: a mutation records its
   * response through it inside its own transaction (see {@link mutation}).
   */
  outcome?: { record(trx: Executor, result: unknown): Promise<void> };
}

/**
 * Runs a mutation in one transaction and, when the request is idempotent,
 * stores its response in that same transaction: a crash leaves the change and
 * its replayable outcome both committed or both absent.
 */
export function mutation<T>(db: Kysely<Schema>, ctx: RequestContext, work: (trx: Executor) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const result = await work(trx);
    if (ctx.outcome !== undefined) await ctx.outcome.record(trx, result);
    return result;
  });
}
