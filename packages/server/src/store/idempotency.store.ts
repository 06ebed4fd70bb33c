import type { Selectable } from "kysely";
import { likeContains } from "./like-pattern.js";
import type { Executor, IdempotencyKeysTable } from "./schema.js";

export type IdempotencyRow = Selectable<IdempotencyKeysTable>;

/** SQL for stored idempotent responses. */
export class IdempotencyStore {
  find(db: Executor, tenantId: string, key: string): Promise<IdempotencyRow | undefined> {
    return db.selectFrom("idempotency_keys").selectAll().where("tenant_id", "=", tenantId).where("key", "=", key).executeTakeFirst();
  }

  /** Claims the key; throws a unique violation when another request holds it. */
  async claim(db: Executor, row: IdempotencyRow): Promise<void> {
    await db.insertInto("idempotency_keys").values(row).execute();
  }

  async complete(db: Executor, tenantId: string, key: string, statusCode: number, body: string): Promise<void> {
    await db.updateTable("idempotency_keys").set({ status_code: statusCode, response_body: body }).where("tenant_id", "=", tenantId).where("key", "=", key).execute();
  }

  async release(db: Executor, tenantId: string, key: string): Promise<void> {
    await db.deleteFrom("idempotency_keys").where("tenant_id", "=", tenantId).where("key", "=", key).execute();
  }

  /** Forgets stored responses that contain `text` (an ID), e.g. when that user is deleted. */
  async deleteMentioning(db: Executor, tenantId: string, text: string): Promise<void> {
    await db
      .deleteFrom("idempotency_keys")
      .where("tenant_id", "=", tenantId)
      .where((eb) => likeContains(eb.ref("response_body"), text))
      .execute();
  }

  async deleteOlderThan(db: Executor, cutoff: number): Promise<void> {
    await db.deleteFrom("idempotency_keys").where("created_at", "<", cutoff).execute();
  }
}
