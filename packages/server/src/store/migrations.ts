import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationProvider } from "kysely";
import { createMembershipScaleSchema, createUserScaleSchema, createUsernameSchema } from "./database.js";

// One set of migrations for both dialects: only portable column types are used
// (text, bigint for epoch-ms times, integer for 0/1 booleans).

const initial: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("tenants")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("api_keys")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("secret_hash", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("revoked_at", "bigint")
      .execute();
    await db.schema
      .createTable("signing_keys")
      .addColumn("kid", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("public_jwk", "text", (c) => c.notNull())
      .addColumn("sealed_private_key", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("signing_keys_tenant").on("signing_keys").columns(["tenant_id", "created_at"]).execute();
    await db.schema
      .createTable("users")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("email", "text", (c) => c.notNull())
      .addColumn("email_lower", "text", (c) => c.notNull())
      .addColumn("email_verified", "integer", (c) => c.notNull())
      .addColumn("first_name", "text")
      .addColumn("last_name", "text")
      .addColumn("name_lower", "text", (c) => c.notNull())
      .addColumn("phone_number", "text")
      .addColumn("avatar_url", "text")
      .addColumn("metadata", "text", (c) => c.notNull())
      .addColumn("password_hash", "text")
      .addColumn("disabled", "integer", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .addColumn("last_sign_in_at", "bigint")
      .execute();
    await db.schema.createIndex("users_tenant_email").on("users").columns(["tenant_id", "email_lower"]).unique().execute();
    await db.schema.createIndex("users_tenant_created").on("users").columns(["tenant_id", "created_at", "id"]).execute();
    await db.schema
      .createTable("sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("revoked_at", "bigint")
      .addColumn("last_used_at", "bigint")
      .addColumn("ip_address", "text")
      .addColumn("user_agent", "text")
      .addColumn("impersonator_id", "text")
      .addColumn("impersonation_reason", "text")
      .execute();
    await db.schema.createIndex("sessions_user").on("sessions").columns(["tenant_id", "user_id"]).execute();
    await db.schema
      .createTable("refresh_tokens")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("session_id", "text", (c) => c.notNull())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("used_at", "bigint")
      .addColumn("revoked_at", "bigint")
      .execute();
    await db.schema.createIndex("refresh_tokens_user").on("refresh_tokens").columns(["tenant_id", "user_id"]).execute();
    await db.schema
      .createTable("mfa_factors")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("sealed_secret", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("mfa_factors_user").on("mfa_factors").columns(["tenant_id", "user_id"]).execute();
    await db.schema
      .createTable("oauth_connections")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("provider", "text", (c) => c.notNull())
      .addColumn("provider_user_id", "text", (c) => c.notNull())
      .addColumn("sealed_tokens", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("oauth_connections_user").on("oauth_connections").columns(["tenant_id", "user_id"]).execute();
    await db.schema
      .createTable("organizations")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("name", "text", (c) => c.notNull())
      .addColumn("metadata", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("organizations_tenant_created").on("organizations").columns(["tenant_id", "created_at", "id"]).execute();
    await db.schema
      .createTable("memberships")
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("org_id", "text", (c) => c.notNull())
      .addColumn("user_id", "text", (c) => c.notNull())
      .addColumn("role", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("memberships_pk", ["org_id", "user_id"])
      .execute();
    await db.schema.createIndex("memberships_user").on("memberships").columns(["tenant_id", "user_id"]).execute();
    await db.schema
      .createTable("audit_events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("actor_type", "text", (c) => c.notNull())
      .addColumn("actor_id", "text")
      .addColumn("subject_user_id", "text")
      .addColumn("ip_address", "text")
      .addColumn("user_agent", "text")
      .addColumn("data", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("audit_events_subject").on("audit_events").columns(["tenant_id", "subject_user_id"]).execute();
    await db.schema
      .createTable("idempotency_keys")
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("key", "text", (c) => c.notNull())
      .addColumn("fingerprint", "text", (c) => c.notNull())
      .addColumn("status_code", "integer")
      .addColumn("response_body", "text")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addPrimaryKeyConstraint("idempotency_keys_pk", ["tenant_id", "key"])
      .execute();
    await db.schema.createIndex("idempotency_keys_created").on("idempotency_keys").column("created_at").execute();
  },
};

// Events feed (outbox) and webhook delivery. Positions come from a per-tenant
// counter row, locked by the emitting transaction until it commits, so the
// feed's order is commit order (see services/events.service.ts); each endpoint
// follows the feed with its own cursor.
const eventsAndWebhooks: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("events")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("position", "bigint", (c) => c.notNull())
      .addColumn("type", "text", (c) => c.notNull())
      .addColumn("subject_id", "text", (c) => c.notNull())
      .addColumn("payload", "text", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("events_tenant_position").on("events").columns(["tenant_id", "position"]).unique().execute();
    await db.schema.createIndex("events_created").on("events").column("created_at").execute();
    await db.schema
      .createTable("event_counters")
      .addColumn("tenant_id", "text", (c) => c.primaryKey())
      .addColumn("last_position", "bigint", (c) => c.notNull())
      .execute();
    await db.schema
      .createTable("webhook_endpoints")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("url", "text", (c) => c.notNull())
      .addColumn("description", "text")
      .addColumn("event_types", "text", (c) => c.notNull())
      .addColumn("sealed_secret", "text", (c) => c.notNull())
      .addColumn("sealed_previous_secret", "text")
      .addColumn("previous_secret_expires_at", "bigint")
      .addColumn("disabled", "integer", (c) => c.notNull())
      .addColumn("disabled_reason", "text")
      .addColumn("last_success_at", "bigint")
      .addColumn("position_cursor", "bigint", (c) => c.notNull())
      .addColumn("lease_owner", "text")
      .addColumn("lease_until", "bigint")
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("webhook_endpoints_tenant_created").on("webhook_endpoints").columns(["tenant_id", "created_at", "id"]).execute();
    await db.schema
      .createTable("webhook_deliveries")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("endpoint_id", "text", (c) => c.notNull())
      .addColumn("event_id", "text", (c) => c.notNull())
      .addColumn("position", "bigint", (c) => c.notNull())
      .addColumn("status", "text", (c) => c.notNull())
      .addColumn("attempt_count", "integer", (c) => c.notNull())
      .addColumn("schedule_index", "integer", (c) => c.notNull())
      .addColumn("next_attempt_at", "bigint")
      .addColumn("started_at", "bigint", (c) => c.notNull())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("updated_at", "bigint", (c) => c.notNull())
      .execute();
    await db.schema.createIndex("webhook_deliveries_due").on("webhook_deliveries").columns(["endpoint_id", "status", "position"]).execute();
    await db.schema.createIndex("webhook_deliveries_event").on("webhook_deliveries").columns(["endpoint_id", "event_id"]).unique().execute();
    await db.schema.createIndex("webhook_deliveries_pending").on("webhook_deliveries").columns(["status", "next_attempt_at"]).execute();
    await db.schema.createIndex("webhook_deliveries_endpoint_created").on("webhook_deliveries").columns(["endpoint_id", "created_at", "id"]).execute();
    await db.schema
      .createTable("webhook_attempts")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("delivery_id", "text", (c) => c.notNull())
      .addColumn("endpoint_id", "text", (c) => c.notNull())
      .addColumn("attempted_at", "bigint", (c) => c.notNull())
      .addColumn("status_code", "integer")
      .addColumn("latency_ms", "integer", (c) => c.notNull())
      .addColumn("succeeded", "integer", (c) => c.notNull())
      .addColumn("response_excerpt", "text")
      .addColumn("error", "text")
      .execute();
    await db.schema.createIndex("webhook_attempts_delivery").on("webhook_attempts").columns(["delivery_id", "attempted_at"]).execute();
  },
};

/**
 * Idempotency claims that a crashed server cannot leave stuck (a lease and a
 * per-claim token), stored responses that know which user they are about, and
 * the indexes the expiry sweeps use.
 */
const idempotencyLeases: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("idempotency_keys").addColumn("claim_token", "text").execute();
    await db.schema.alterTable("idempotency_keys").addColumn("locked_until", "bigint").execute();
    await db.schema.alterTable("idempotency_keys").addColumn("subject_user_id", "text").execute();
    await db.schema.createIndex("idempotency_keys_subject").on("idempotency_keys").columns(["tenant_id", "subject_user_id"]).execute();
    await db.schema.createIndex("sessions_expires").on("sessions").column("expires_at").execute();
    await db.schema.createIndex("refresh_tokens_expires").on("refresh_tokens").column("expires_at").execute();
    await db.schema.createIndex("refresh_tokens_used").on("refresh_tokens").column("used_at").execute();
    // A user's export pages through their sessions and audit events newest first.
    await db.schema.createIndex("sessions_user_created").on("sessions").columns(["tenant_id", "user_id", "created_at", "id"]).execute();
    await db.schema.createIndex("audit_events_subject_created").on("audit_events").columns(["tenant_id", "subject_user_id", "created_at", "id"]).execute();
    await db.schema.createIndex("audit_events_actor_created").on("audit_events").columns(["tenant_id", "actor_id", "created_at", "id"]).execute();
  },
};

// Issue 17: a session remembers the organization it was opened for; its tokens carry the user's current role there.
const sessionOrganization: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("sessions").addColumn("organization_id", "text").execute();
  },
};

// Repeated events (failed sign-ins) are counted on one row per key instead of a row each.
const aggregatedAuditEvents: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("audit_events").addColumn("aggregate_key", "text").execute();
    await db.schema.alterTable("audit_events").addColumn("count", "integer").execute();
    // NULLs are distinct in a unique index on both dialects, so ordinary events never collide.
    await db.schema.createIndex("audit_events_aggregate").on("audit_events").columns(["tenant_id", "aggregate_key"]).unique().execute();
  },
};

// Counter rows, a status index and trigram search indexes; dialect-specific, so it lives in database.ts.
const userScale: Migration = { up: (db) => createUserScaleSchema(db) };

/** The browser console's one-time login links and cookie sessions (issue #16). */
const consoleSessions: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema
      .createTable("console_login_links")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("operator", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("used_at", "bigint")
      .execute();
    await db.schema.createIndex("console_login_links_expires").on("console_login_links").column("expires_at").execute();
    await db.schema
      .createTable("console_sessions")
      .addColumn("id", "text", (c) => c.primaryKey())
      .addColumn("tenant_id", "text", (c) => c.notNull())
      .addColumn("operator", "text", (c) => c.notNull())
      .addColumn("token_hash", "text", (c) => c.notNull().unique())
      .addColumn("created_at", "bigint", (c) => c.notNull())
      .addColumn("last_seen_at", "bigint", (c) => c.notNull())
      .addColumn("expires_at", "bigint", (c) => c.notNull())
      .addColumn("revoked_at", "bigint")
      .execute();
    await db.schema.createIndex("console_sessions_expires").on("console_sessions").column("expires_at").execute();
  },
};

/**
 * The user each event concerns (`user.*` events, their sessions' and their
 * memberships'), so that deleting a user erases their earlier events by index,
 * in the deletion's transaction: an erased event keeps its ID and position (a
 * reader's cursor on it still works) but loses its payload, and leaves the feed
 * and the webhook deliveries.
 */
const eventsUser: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.alterTable("events").addColumn("user_id", "text").execute();
    await db.schema
      .alterTable("events")
      .addColumn("erased", "integer", (c) => c.notNull().defaultTo(0))
      .execute();
    const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
    const dataUserId = postgres ? sql`(payload::jsonb -> 'data' ->> 'user_id')` : sql`json_extract(payload, '$.data.user_id')`;
    await sql`update events set user_id = case when type like 'user.%' then subject_id else ${dataUserId} end
      where type like 'user.%' or type like 'session.%' or type like 'organization.member_%'`.execute(db);
    await db.schema.createIndex("events_tenant_user").on("events").columns(["tenant_id", "user_id"]).execute();
    await db.schema.createIndex("webhook_deliveries_event_id").on("webhook_deliveries").column("event_id").execute();
  },
};

/**
 * Idempotency records name the resource their stored response describes
 * (`resource_id`, indexed): purges and lookups by resource are exact. It was
 * `subject_user_id` (users only); the values carry over.
 */
const idempotencyResource: Migration = {
  async up(db: Kysely<unknown>): Promise<void> {
    await db.schema.dropIndex("idempotency_keys_subject").execute();
    await db.schema.alterTable("idempotency_keys").renameColumn("subject_user_id", "resource_id").execute();
    await db.schema.createIndex("idempotency_keys_resource").on("idempotency_keys").columns(["tenant_id", "resource_id"]).execute();
  },
};

const MIGRATIONS: Record<string, Migration> = {
  "0001_initial": initial,
  "0002_idempotency_leases": idempotencyLeases,
  "0003_user_scale": userScale,
  "0004_aggregated_audit_events": aggregatedAuditEvents,
  "0005_events_webhooks": eventsAndWebhooks,
  "0006_session_organization": sessionOrganization,
  "0008_console_sessions": consoleSessions,
  "0010_events_user": eventsUser,
  "0011_idempotency_resource": idempotencyResource,
  "0012_membership_scale": { up: createMembershipScaleSchema },
  "0013_username": { up: createUsernameSchema },
};

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

/** Brings the schema up to date (or to migration `upTo`, for tests of upgrades); safe to run from several instances at once (Kysely's migration lock). */
export async function migrate(db: Kysely<unknown>, upTo?: string): Promise<void> {
  const migrator = new Migrator({ db, provider });
  const { error } = await (upTo === undefined ? migrator.migrateToLatest() : migrator.migrateTo(upTo));
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
}
