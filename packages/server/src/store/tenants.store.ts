import type { Selectable } from "kysely";
import type { ApiKeysTable, Executor, SigningKeysTable, TenantsTable } from "./schema.js";

export type TenantRow = Selectable<TenantsTable>;
export type ApiKeyRow = Selectable<ApiKeysTable>;
export type SigningKeyRow = Selectable<SigningKeysTable>;

/** SQL for tenants, their API keys and signing keys. */
export class TenantsStore {
  async insertTenant(db: Executor, row: TenantRow): Promise<void> {
    await db.insertInto("tenants").values(row).execute();
  }

  findTenant(db: Executor, id: string): Promise<TenantRow | undefined> {
    return db.selectFrom("tenants").selectAll().where("id", "=", id).executeTakeFirst();
  }

  listTenants(db: Executor): Promise<TenantRow[]> {
    return db.selectFrom("tenants").selectAll().orderBy("created_at").execute();
  }

  async insertApiKey(db: Executor, row: ApiKeyRow): Promise<void> {
    await db.insertInto("api_keys").values(row).execute();
  }

  findApiKey(db: Executor, id: string): Promise<ApiKeyRow | undefined> {
    return db.selectFrom("api_keys").selectAll().where("id", "=", id).executeTakeFirst();
  }

  listApiKeys(db: Executor, tenantId: string): Promise<ApiKeyRow[]> {
    return db.selectFrom("api_keys").selectAll().where("tenant_id", "=", tenantId).orderBy("created_at").execute();
  }

  async revokeApiKey(db: Executor, tenantId: string, id: string, at: number): Promise<boolean> {
    const result = await db
      .updateTable("api_keys")
      .set({ revoked_at: at })
      .where("tenant_id", "=", tenantId)
      .where("id", "=", id)
      .where("revoked_at", "is", null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async insertSigningKey(db: Executor, row: SigningKeyRow): Promise<void> {
    await db.insertInto("signing_keys").values(row).execute();
  }

  /** Newest first: the first is the one that signs. */
  /** One sealed signing key of any tenant, to prove the master key opens them. */
  async anySealedSigningKey(db: Executor): Promise<string | undefined> {
    const row = await db.selectFrom("signing_keys").select("sealed_private_key").orderBy("created_at", "desc").limit(1).executeTakeFirst();
    return row?.sealed_private_key;
  }

  signingKeys(db: Executor, tenantId: string): Promise<SigningKeyRow[]> {
    return db.selectFrom("signing_keys").selectAll().where("tenant_id", "=", tenantId).orderBy("created_at", "desc").execute();
  }
}
