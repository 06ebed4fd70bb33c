import type { MfaFactor, OAuthConnection } from "../domain/models.js";
import type { Selectable } from "kysely";
import type { Executor, MfaFactorsTable, OAuthConnectionsTable } from "./schema.js";

export type MfaFactorRow = Selectable<MfaFactorsTable>;
export type OAuthConnectionRow = Selectable<OAuthConnectionsTable>;

/** An MFA factor row as a domain value (without its secret). */
export const toMfaFactor = (row: MfaFactorRow): MfaFactor => ({ id: row.id, type: row.type, createdAt: row.created_at });

/** An OAuth connection row as a domain value. */
export const toOAuthConnection = (row: OAuthConnectionRow): OAuthConnection => ({
  id: row.id,
  provider: row.provider,
  providerUserId: row.provider_user_id,
  createdAt: row.created_at,
});

/** SQL for a user's MFA factors and linked OAuth accounts. */
export class CredentialsStore {
  async insertMfaFactor(db: Executor, row: MfaFactorRow): Promise<void> {
    await db.insertInto("mfa_factors").values(row).execute();
  }

  async insertOAuthConnection(db: Executor, row: OAuthConnectionRow): Promise<void> {
    await db.insertInto("oauth_connections").values(row).execute();
  }

  mfaFactors(db: Executor, tenantId: string, userId: string): Promise<MfaFactorRow[]> {
    return db.selectFrom("mfa_factors").selectAll().where("tenant_id", "=", tenantId).where("user_id", "=", userId).orderBy("created_at", "desc").execute();
  }

  oauthConnections(db: Executor, tenantId: string, userId: string): Promise<OAuthConnectionRow[]> {
    return db.selectFrom("oauth_connections").selectAll().where("tenant_id", "=", tenantId).where("user_id", "=", userId).orderBy("created_at", "desc").execute();
  }

  /** Removes every row tied to the user in the tables that hold them by `user_id`. */
  async deleteAllForUser(db: Executor, tenantId: string, userId: string): Promise<void> {
    for (const table of ["mfa_factors", "oauth_connections", "refresh_tokens", "sessions", "memberships"] as const) {
      await db.deleteFrom(table).where("tenant_id", "=", tenantId).where("user_id", "=", userId).execute();
    }
  }
}
