import type { Generated, Kysely, Transaction } from "kysely";
import type { EventsSchema } from "./events.schema.js";

// Times are epoch milliseconds and booleans 0/1 in both dialects; JSON is text.

export interface TenantsTable {
  id: string;
  name: string;
  created_at: number;
}
export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  secret_hash: string;
  created_at: number;
  revoked_at: number | null;
}
export interface SigningKeysTable {
  kid: string;
  tenant_id: string;
  public_jwk: string;
  sealed_private_key: string;
  created_at: number;
}
export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  email_lower: string;
  email_verified: number;
  first_name: string | null;
  last_name: string | null;
  /** Lower-cased "first last", for search. */
  name_lower: string;
  /** As the user chose it, and lower-cased for the per-tenant unique index and search (migration 0013). */
  username: string | null;
  username_lower: string | null;
  phone_number: string | null;
  avatar_url: string | null;
  metadata: string;
  password_hash: string | null;
  disabled: number;
  created_at: number;
  updated_at: number;
  last_sign_in_at: number | null;
}
export interface SessionsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  last_used_at: number | null;
  ip_address: string | null;
  user_agent: string | null;
  impersonator_id: string | null;
  impersonation_reason: string | null;
  /** The organization selected at sign-in (or impersonation), if any. */
  organization_id: string | null;
}
export interface RefreshTokensTable {
  id: string;
  tenant_id: string;
  session_id: string;
  user_id: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
}
export interface MfaFactorsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  type: string;
  sealed_secret: string;
  created_at: number;
}
export interface OAuthConnectionsTable {
  id: string;
  tenant_id: string;
  user_id: string;
  provider: string;
  provider_user_id: string;
  sealed_tokens: string | null;
  created_at: number;
}
export interface OrganizationsTable {
  id: string;
  tenant_id: string;
  name: string;
  metadata: string;
  created_at: number;
  updated_at: number;
}
export interface MembershipsTable {
  tenant_id: string;
  org_id: string;
  user_id: string;
  role: string;
  created_at: number;
  /** The user's `created_at` and `disabled`, copied by triggers (migration 0012) so an organization's members page by one index. */
  user_created_at: Generated<number | null>;
  user_disabled: Generated<number>;
}
/** Members per (organization, disabled), kept exact by triggers on memberships (migration 0012). */
export interface OrgMemberCountsTable {
  tenant_id: string;
  org_id: string;
  disabled: number;
  n: number;
}
export interface AuditEventsTable {
  id: string;
  tenant_id: string;
  type: string;
  actor_type: string;
  actor_id: string | null;
  subject_user_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  data: string;
  created_at: number;
  /** Set on events counted on one row per key (failed sign-ins per account and window); null otherwise. */
  aggregate_key: string | null;
  /** How many times an aggregated event happened; null for ordinary events. */
  count: number | null;
}
export interface IdempotencyKeysTable {
  tenant_id: string;
  key: string;
  fingerprint: string;
  status_code: number | null;
  /** The stored response, sealed with the master key (`v1.…`); older rows may hold plain JSON. */
  response_body: string | null;
  created_at: number;
  /** Random per claim: only the request holding it may complete or release the key. */
  claim_token: string | null;
  /** While in progress: the claim is abandoned (its server died) once this time passes. */
  locked_until: number | null;
  /** The ID of the resource the stored response describes (a user, an organization…), so deleting it removes the record. */
  resource_id: string | null;
}

/** One row per (tenant, status): the exact number of users, kept by triggers in the writing transaction. */
export interface UserCountsTable {
  tenant_id: string;
  disabled: number;
  n: number;
}

/** A one-time console login link (issue #16); only the token's SHA-256 is stored. */
export interface ConsoleLoginLinksTable {
  id: string;
  tenant_id: string;
  operator: string;
  token_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}
/** A browser console session (issue #16), found by the SHA-256 of its cookie. */
export interface ConsoleSessionsTable {
  id: string;
  tenant_id: string;
  operator: string;
  token_hash: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  revoked_at: number | null;
}

export interface Schema extends EventsSchema {
  tenants: TenantsTable;
  api_keys: ApiKeysTable;
  signing_keys: SigningKeysTable;
  users: UsersTable;
  sessions: SessionsTable;
  refresh_tokens: RefreshTokensTable;
  mfa_factors: MfaFactorsTable;
  oauth_connections: OAuthConnectionsTable;
  organizations: OrganizationsTable;
  memberships: MembershipsTable;
  audit_events: AuditEventsTable;
  idempotency_keys: IdempotencyKeysTable;
  user_counts: UserCountsTable;
  org_member_counts: OrgMemberCountsTable;
  console_login_links: ConsoleLoginLinksTable;
  console_sessions: ConsoleSessionsTable;
}

/** A connection or a transaction: stores run on whichever the service hands them. */
export type Executor = Kysely<Schema> | Transaction<Schema>;
