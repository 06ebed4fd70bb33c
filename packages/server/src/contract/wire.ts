import type { AuditEvent, Membership, MfaFactor, OAuthConnection, Organization, Session, User, UserMembership } from "../domain/models.js";
import { sessionStatus } from "../domain/models.js";
import type { Wire } from "./schemas.js";

// Domain values to the API's wire format (snake_case, ISO-8601), typed by the
// contract's schemas. Secrets never pass through here; rows never reach here.

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

export function wireUser(user: User): Wire<"User"> {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    username: user.username,
    first_name: user.firstName,
    last_name: user.lastName,
    phone_number: user.phoneNumber,
    avatar_url: user.avatarUrl,
    metadata: user.metadata,
    created_at: iso(user.createdAt),
    updated_at: iso(user.updatedAt),
    last_sign_in_at: isoOrNull(user.lastSignInAt),
    disabled: user.disabled,
  };
}

export function wireSession(session: Session, now: number = Date.now()): Wire<"Session"> {
  return {
    id: session.id,
    status: sessionStatus(session, now),
    created_at: iso(session.createdAt),
    expires_at: iso(session.expiresAt),
    revoked_at: isoOrNull(session.revokedAt),
    last_used_at: isoOrNull(session.lastUsedAt),
    ip_address: session.ipAddress,
    user_agent: session.userAgent,
    impersonator: session.impersonator === null ? null : { actor_id: session.impersonator.actorId, reason: session.impersonator.reason },
    organization_id: session.organizationId,
  };
}

export function wireAuditEvent(event: AuditEvent): Wire<"AuditEvent"> {
  return {
    id: event.id,
    type: event.type,
    actor: { type: event.actor.type, id: event.actor.id },
    ip_address: event.ipAddress,
    user_agent: event.userAgent,
    // Aggregated events (failed sign-ins) carry how often they happened in their window.
    data: { ...event.data, ...(event.count === null ? {} : { count: event.count }) },
    created_at: iso(event.createdAt),
  };
}

export const wireMfaFactor = (factor: MfaFactor) => ({ id: factor.id, type: factor.type, created_at: iso(factor.createdAt) });

export const wireOAuthConnection = (connection: OAuthConnection) => ({
  id: connection.id,
  provider: connection.provider,
  provider_user_id: connection.providerUserId,
  created_at: iso(connection.createdAt),
});

export function wireOrganization(organization: Organization): Wire<"Organization"> {
  return {
    id: organization.id,
    name: organization.name,
    metadata: organization.metadata,
    created_at: iso(organization.createdAt),
    updated_at: iso(organization.updatedAt),
  };
}

export const wireMembership = (membership: Membership): Wire<"Membership"> => ({
  org_id: membership.orgId,
  user_id: membership.userId,
  role: membership.role,
  created_at: iso(membership.createdAt),
});

export const wireUserMembership = (membership: UserMembership) => ({
  org_id: membership.orgId,
  org_name: membership.orgName,
  role: membership.role,
  created_at: iso(membership.createdAt),
});

export { iso };
