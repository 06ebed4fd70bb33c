import type { Kysely } from "kysely";
import type { Executor, Schema } from "../store/schema.js";

/** Who is making a request, and from where; every audit event records it. */
export interface RequestContext {
  tenantId: string;
  actor: { type: "api_key" | "user" | "anonymous" | "system" | "operator"; id: string | null };
  ip: string | null;
  userAgent: string | null;
}

/** Stores an idempotent request's response, made from the mutation's result `R`, inside the mutation's transaction. */
export interface Outcome<R> {
  readonly record: (trx: Executor, result: R) => Promise<void>;
}

/**
 * The context of a mutation whose result is `R`. When the request carries an
 * `Idempotency-Key`, the HTTP edge sets `outcome`: the mutation records its
 * result through it inside its own transaction (see {@link mutation}), and the
 * edge turns that result into the stored wire response. Callers with nothing
 * to record (the console, the CLI) pass a plain {@link RequestContext}.
 */
export interface MutationContext<R> extends RequestContext {
  outcome?: Outcome<R>;
}

/**
 * Runs a mutation in one transaction and, when the request is idempotent,
 * stores its response in that same transaction: a crash leaves the change and
 * its replayable outcome both committed or both absent.
 */
export function mutation<T>(db: Kysely<Schema>, ctx: MutationContext<T>, work: (trx: Executor) => Promise<T>): Promise<T> {
  return db.transaction().execute(async (trx) => {
    const result = await work(trx);
    if (ctx.outcome !== undefined) await ctx.outcome.record(trx, result);
    return result;
  });
}
