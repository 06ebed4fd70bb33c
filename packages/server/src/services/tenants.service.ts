import type { KeyObject } from "node:crypto";
import { newId } from "../crypto/ids.js";
import { generateSigningKey, unsealPrivateKey } from "../crypto/jwt-signer.js";
import type { MasterKey } from "../crypto/master-key.js";
import { generateSecretKey, keyIdOf, sameHash, sha256 } from "../crypto/secrets.js";
import { ApiError, notFound } from "../domain/api-error.js";
import type { Jwks } from "../domain/models.js";
import type { Database } from "../store/database.js";
import type { ApiKeyRow, TenantRow, TenantsStore } from "../store/tenants.store.js";

/** The result of creating an API key: the secret is shown once and never stored. */
export interface CreatedApiKey {
  keyId: string;
  secretKey: string;
}

/** An authenticated admin caller. */
export interface ApiKeyPrincipal {
  tenantId: string;
  keyId: string;
}

const UNAUTHENTICATED = (): ApiError => new ApiError(401, "invalid_api_key", "The tenant ID and secret key do not match an active API key");

// Compared against when no key row exists, so both paths do the same work.
const DUMMY_HASH = sha256("no-such-key");

/** Tenants, their API keys (stored as SHA-256 hashes) and their Ed25519 signing keys. */
export class TenantsService {
  readonly #signers = new Map<string, Promise<{ kid: string; key: KeyObject }>>();

  constructor(
    private readonly database: Database,
    private readonly store: TenantsStore,
    private readonly master: MasterKey,
  ) {}

  /** Creates a tenant with its first signing key. */
  async createTenant(name: string): Promise<TenantRow> {
    const tenant: TenantRow = { id: newId("ten"), name, created_at: Date.now() };
    const signing = generateSigningKey(this.master);
    await this.database.db.transaction().execute(async (trx) => {
      await this.store.insertTenant(trx, tenant);
      await this.store.insertSigningKey(trx, {
        kid: signing.kid,
        tenant_id: tenant.id,
        public_jwk: JSON.stringify(signing.publicJwk),
        sealed_private_key: signing.sealedPrivateKey,
        created_at: tenant.created_at,
      });
    });
    return tenant;
  }

  async getTenant(tenantId: string): Promise<TenantRow> {
    const tenant = await this.store.findTenant(this.database.db, tenantId);
    if (tenant === undefined) throw notFound("tenant");
    return tenant;
  }

  listTenants(): Promise<TenantRow[]> {
    return this.store.listTenants(this.database.db);
  }

  async createApiKey(tenantId: string, name = "default"): Promise<CreatedApiKey> {
    await this.getTenant(tenantId);
    const { keyId, secretKey, hash } = generateSecretKey();
    await this.store.insertApiKey(this.database.db, {
      id: keyId,
      tenant_id: tenantId,
      name,
      secret_hash: hash,
      created_at: Date.now(),
      revoked_at: null,
    });
    return { keyId, secretKey };
  }

  listApiKeys(tenantId: string): Promise<ApiKeyRow[]> {
    return this.store.listApiKeys(this.database.db, tenantId);
  }

  async revokeApiKey(tenantId: string, keyId: string): Promise<boolean> {
    return this.store.revokeApiKey(this.database.db, tenantId, keyId, Date.now());
  }

  /**
   * Checks a tenant ID and secret key. Every failure, including a valid key of
   * another tenant, gets the same 401: nothing confirms another tenant exists.
   */
  async authenticate(tenantId: string | undefined, secretKey: string | undefined): Promise<ApiKeyPrincipal> {
    // Saying which header is missing confirms nothing about any tenant.
    if (tenantId === undefined || tenantId === "") {
      throw new ApiError(401, "missing_tenant_id", 'Send your tenant ID (ten_…) in the "HelloJohn-Tenant-Id" header', "HelloJohn-Tenant-Id");
    }
    if (secretKey === undefined) {
      throw new ApiError(401, "missing_api_key", 'Send your secret key as "Authorization: Bearer sk_…"', "Authorization");
    }
    const keyId = keyIdOf(secretKey);
    const row = keyId === undefined ? undefined : await this.store.findApiKey(this.database.db, keyId);
    const matches = sameHash(sha256(secretKey), row?.secret_hash ?? DUMMY_HASH);
    if (row === undefined || !matches || row.revoked_at !== null || row.tenant_id !== tenantId) throw UNAUTHENTICATED();
    return { tenantId, keyId: row.id };
  }

  /**
   * Proves the master key opens this database's signing keys, so a wrong key
   * stops the server at start instead of failing at the first sign-in.
   */
  async checkMasterKey(): Promise<void> {
    const sealed = await this.store.anySealedSigningKey(this.database.db);
    if (sealed === undefined) return;
    try {
      unsealPrivateKey(this.master, sealed);
    } catch {
      throw new Error(
        "HELLOJOHN_MASTER_KEY cannot decrypt this database's signing keys: it is not the master key this database was created with. " +
          "Start with the original key (--master-key or HELLOJOHN_MASTER_KEY).",
      );
    }
  }

  /** The tenant's public keys, as a JWKS. */
  async jwks(tenantId: string): Promise<Jwks> {
    const rows = await this.store.signingKeys(this.database.db, tenantId);
    if (rows.length === 0) throw notFound("tenant");
    return { keys: rows.map((row) => ({ ...(JSON.parse(row.public_jwk) as { kty: string; crv: string; x: string }), kid: row.kid, alg: "EdDSA", use: "sig" })) };
  }

  /** The tenant's current signing key, decrypted once and cached. */
  signer(tenantId: string): Promise<{ kid: string; key: KeyObject }> {
    let signer = this.#signers.get(tenantId);
    if (signer === undefined) {
      signer = this.store.signingKeys(this.database.db, tenantId).then((rows) => {
        const newest = rows[0];
        if (newest === undefined) throw notFound("tenant");
        return { kid: newest.kid, key: unsealPrivateKey(this.master, newest.sealed_private_key) };
      });
      signer.catch(() => this.#signers.delete(tenantId));
      this.#signers.set(tenantId, signer);
    }
    return signer;
  }
}
