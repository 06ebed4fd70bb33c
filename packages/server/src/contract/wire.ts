import type { AuditEventRow } from "../store/audit.store.js";
import type { MfaFactorRow, OAuthConnectionRow } from "../store/credentials.store.js";
import type { MembershipRow, OrganizationRow } from "../store/organizations.store.js";
import type { SessionRow } from "../store/sessions.store.js";
import type { UserRow } from "../store/users.store.js";

// Rows to the API's wire format (snake_case, ISO-8601). Secrets never pass through here.

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function wireUser(row: UserRow) {
  return {
    id: row.id,
    email: row.email,
    email_verified: row.email_verified === 1,
    first_name: row.first_name,
    last_name: row.last_name,
    phone_number: row.phone_number,
    avatar_url: row.avatar_url,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
    last_sign_in_at: isoOrNull(row.last_sign_in_at),
    disabled: row.disabled === 1,
  };
}

export function wireSession(row: SessionRow, now: number = Date.now()) {
  return {
    id: row.id,
    status: sessionStatus(row, now),
    created_at: iso(row.created_at),
    expires_at: iso(row.expires_at),
    revoked_at: isoOrNull(row.revoked_at),
    last_used_at: isoOrNull(row.last_used_at),
    ip_address: row.ip_address,
    user_agent: row.user_agent,
    impersonator: row.impersonator_id === null ? null : { actor_id: row.impersonator_id, reason: row.impersonation_reason ?? "" },
    organization_id: row.organization_id,
  };
}

export function sessionStatus(row: SessionRow, now: number): "active" | "revoked" | "expired" {
  if (row.revoked_at !== null) return "revoked";
  return row.expires_at <= now ? "expired" : "active";
}

export function wireAuditEvent(row: AuditEventRow) {
  return {
    id: row.id,
    type: row.type,
    actor: { type: row.actor_type, id: row.actor_id },
    ip_address: row.ip_address,
    user_agent: row.user_agent,
    // Aggregated events (failed sign-ins) carry how often they happened in their window.
    data: { ...(JSON.parse(row.data) as Record<string, unknown>), ...(row.count === null ? {} : { count: row.count }) },
    created_at: iso(row.created_at),
  };
}

export const wireMfaFactor = (row: MfaFactorRow) => ({ id: row.id, type: row.type, created_at: iso(row.created_at) });

export const wireOAuthConnection = (row: OAuthConnectionRow) => ({
  id: row.id,
  provider: row.provider,
  provider_user_id: row.provider_user_id,
  created_at: iso(row.created_at),
});

export function wireOrganization(row: OrganizationRow) {
  return {
    id: row.id,
    name: row.name,
    metadata: JSON.parse(row.metadata) as Record<string, unknown>,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

export const wireMembership = (row: MembershipRow) => ({
  org_id: row.org_id,
  user_id: row.user_id,
  role: row.role,
  created_at: iso(row.created_at),
});

export const wireUserMembership = (row: MembershipRow & { org_name: string }) => ({
  org_id: row.org_id,
  org_name: row.org_name,
  role: row.role,
  created_at: iso(row.created_at),
});

export { iso };
