import type { Selectable } from "kysely";
import type { Executor, IdempotencyKeysTable } from "./schema.js";

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

/** SQL for idempotency claims and the responses stored for replay. */
export class IdempotencyStore {
  find(db: Executor, tenantId: string, key: string): Promise<IdempotencyRow | undefined> {
    return db.selectFrom("idempotency_keys").selectAll().where("tenant_id", "=", tenantId).where("key", "=", key).executeTakeFirst();
  }

  /** Claims the key; throws a unique violation when another request holds it. */
  async claim(db: Executor, row: IdempotencyRow): Promise<void> {
    await db.insertInto("idempotency_keys").values(row).execute();
  }

  /** Takes over a claim whose lease ran out (its server died); false when it is still held or done. */
  async takeOver(db: Executor, tenantId: string, key: string, claimToken: string, now: number, lockedUntil: number): Promise<boolean> {
    const result = await db
      .updateTable("idempotency_keys")
      .set({ claim_token: claimToken, locked_until: lockedUntil })
      .where("tenant_id", "=", tenantId)
      .where("key", "=", key)
      .where("status_code", "is", null)
      .where((eb) => eb.or([eb("locked_until", "is", null), eb("locked_until", "<", now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Extends a held claim's lease; false when the claim was lost. */
  async renew(db: Executor, tenantId: string, key: string, claimToken: string, lockedUntil: number): Promise<boolean> {
    const result = await db
      .updateTable("idempotency_keys")
      .set({ locked_until: lockedUntil })
      .where("tenant_id", "=", tenantId)
      .where("key", "=", key)
      .where("claim_token", "=", claimToken)
      .where("status_code", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Stores the outcome of a held claim; false when the claim was lost (taken over, or already done). */
  async complete(
    db: Executor,
    claim: { tenantId: string; key: string; claimToken: string },
    outcome: { statusCode: number; sealedBody: string; resourceId: string | null },
  ): Promise<boolean> {
    const result = await db
      .updateTable("idempotency_keys")
      .set({ status_code: outcome.statusCode, response_body: outcome.sealedBody, resource_id: outcome.resourceId, locked_until: null })
      .where("tenant_id", "=", claim.tenantId)
      .where("key", "=", claim.key)
      .where("claim_token", "=", claim.claimToken)
      .where("status_code", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  /** Gives up a held claim without an outcome, so a retry can run the request again. */
  async release(db: Executor, tenantId: string, key: string, claimToken: string): Promise<void> {
    await db
      .deleteFrom("idempotency_keys")
      .where("tenant_id", "=", tenantId)
      .where("key", "=", key)
      .where("claim_token", "=", claimToken)
      .where("status_code", "is", null)
      .execute();
  }

  /** Forgets an expired record, whatever its state. */
  async forget(db: Executor, tenantId: string, key: string): Promise<void> {
    await db.deleteFrom("idempotency_keys").where("tenant_id", "=", tenantId).where("key", "=", key).execute();
  }

  /** Forgets every stored response describing a resource (by its exact ID), e.g. when that user is deleted. */
  async deleteForResource(db: Executor, tenantId: string, resourceId: string): Promise<void> {
    await db.deleteFrom("idempotency_keys").where("tenant_id", "=", tenantId).where("resource_id", "=", resourceId).execute();
  }

  /** Deletes up to `batch` records created before `cutoff`; returns how many went. */
  async deleteOlderThan(db: Executor, cutoff: number, batch: number): Promise<number> {
    const old = await db.selectFrom("idempotency_keys").select(["tenant_id", "key"]).where("created_at", "<", cutoff).limit(batch).execute();
    if (old.length === 0) return 0;
    const result = await db
      .deleteFrom("idempotency_keys")
      .where((eb) =>
        eb(
          eb.refTuple("tenant_id", "key"),
          "in",
          old.map((row) => eb.tuple(row.tenant_id, row.key)),
        ),
      )
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
