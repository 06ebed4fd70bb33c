// The server's domain values: what stores produce from rows and what the
// wire mappers (contract/wire.ts) turn into the API's JSON. camelCase, times
// in epoch milliseconds, metadata parsed; no storage encoding (0/1 flags,
// serialized JSON) and no secrets.

/** A user. */
export interface User {
  id: string;
  email: string;
  emailVerified: boolean;
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  phoneNumber: string | null;
  avatarUrl: string | null;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  lastSignInAt: number | null;
  disabled: boolean;
}

/** A user's session; its status depends on the time it is looked at (see {@link sessionStatus}). */
export interface Session {
  id: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
  ipAddress: string | null;
  userAgent: string | null;
  impersonator: { actorId: string; reason: string } | null;
  organizationId: string | null;
}

/** Whether a session can still be used at `now`. */
export function sessionStatus(session: Pick<Session, "revokedAt" | "expiresAt">, now: number): "active" | "revoked" | "expired" {
  if (session.revokedAt !== null) return "revoked";
  return session.expiresAt <= now ? "expired" : "active";
}

/** An organization. */
export interface Organization {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** A user's membership of an organization. */
export interface Membership {
  orgId: string;
  userId: string;
  role: string;
  createdAt: number;
}

/** A membership as a user's export lists it, with the organization's name. */
export interface UserMembership extends Membership {
  orgName: string;
}

/** An audit log entry; aggregated entries (failed sign-ins) carry how often they happened. */
export interface AuditEvent {
  id: string;
  type: string;
  actor: { type: string; id: string | null };
  ipAddress: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
  count: number | null;
  createdAt: number;
}

/** A user's MFA factor (never its secret). */
export interface MfaFactor {
  id: string;
  type: string;
  createdAt: number;
}

/** An account at an OAuth provider linked to a user. */
export interface OAuthConnection {
  id: string;
  provider: string;
  providerUserId: string;
  createdAt: number;
}
