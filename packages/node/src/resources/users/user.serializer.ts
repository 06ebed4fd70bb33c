import { ValidationError } from "../../core/errors.js";
import type {
  AuditEvent,
  CreateUserParams,
  ImpersonationResult,
  UpdateUserParams,
  User,
  UserExport,
  UserSession,
  UserSessionsPage,
  UsersPage,
} from "./users.interface.js";

// The wire format is snake_case with ISO-8601 dates; these are the only places it is read or written.

export interface WireUser {
  id: string;
  email: string;
  email_verified: boolean;
  first_name: string | null;
  last_name: string | null;
  phone_number: string | null;
  avatar_url: string | null;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
  disabled: boolean;
}

export interface WireUsersPage {
  data: WireUser[];
  next_cursor: string | null;
  total: number;
}

const date = (value: string): Date => new Date(value);
const nullableDate = (value: string | null | undefined): Date | null => (value == null ? null : new Date(value));

export function deserializeUser(wire: WireUser): User {
  return {
    id: wire.id,
    email: wire.email,
    emailVerified: wire.email_verified,
    firstName: wire.first_name,
    lastName: wire.last_name,
    phoneNumber: wire.phone_number,
    avatarUrl: wire.avatar_url,
    metadata: wire.metadata,
    createdAt: date(wire.created_at),
    updatedAt: date(wire.updated_at),
    lastSignInAt: nullableDate(wire.last_sign_in_at),
    disabled: wire.disabled,
  };
}

export function deserializeUsersPage(wire: WireUsersPage): UsersPage {
  return { users: wire.data.map(deserializeUser), nextCursor: wire.next_cursor, total: wire.total };
}

/**
 * Renames the given fields to the wire format; `undefined` means "leave alone".
 * An unknown field is refused rather than silently dropped.
 */
function toWire<T extends object>(source: T, names: Record<keyof T, string>): Record<string, unknown> {
  if (typeof source !== "object" || source === null) {
    throw new ValidationError("Expected an object of fields", { type: "validation_error", code: "invalid_type", param: "params" });
  }
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    const wireKey = names[key as keyof T];
    if (wireKey === undefined) {
      throw new ValidationError(`"${key}" is not a known field`, { type: "validation_error", code: "unknown_param", param: key });
    }
    if (value !== undefined) out[wireKey] = value;
  }
  return out;
}

const PROFILE_FIELDS = {
  email: "email",
  firstName: "first_name",
  lastName: "last_name",
  phoneNumber: "phone_number",
  avatarUrl: "avatar_url",
  emailVerified: "email_verified",
  metadata: "metadata",
} as const;

export function serializeCreateUser(params: CreateUserParams): Record<string, unknown> {
  return toWire<CreateUserParams>(params, { ...PROFILE_FIELDS, password: "password" });
}

export function serializeUpdateUser(params: UpdateUserParams): Record<string, unknown> {
  return toWire<UpdateUserParams>(params, { ...PROFILE_FIELDS, disabled: "disabled", password: "password", revokeSessions: "revoke_sessions" });
}

export interface WireImpersonation {
  access_token: string;
  expires_at: string;
  session_id: string;
}

export function deserializeImpersonation(wire: WireImpersonation): ImpersonationResult {
  return { accessToken: wire.access_token, expiresAt: date(wire.expires_at), sessionId: wire.session_id };
}

export interface WireSession {
  id: string;
  status: UserSession["status"];
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  last_used_at: string | null;
  ip_address: string | null;
  user_agent: string | null;
  impersonator: { actor_id: string; reason: string } | null;
  organization_id: string | null;
}

export function deserializeSession(wire: WireSession): UserSession {
  return {
    id: wire.id,
    status: wire.status,
    createdAt: date(wire.created_at),
    expiresAt: date(wire.expires_at),
    revokedAt: nullableDate(wire.revoked_at),
    lastUsedAt: nullableDate(wire.last_used_at),
    ipAddress: wire.ip_address,
    userAgent: wire.user_agent,
    impersonator: wire.impersonator === null ? null : { actorId: wire.impersonator.actor_id, reason: wire.impersonator.reason },
    organizationId: wire.organization_id ?? null,
  };
}

export interface WireSessionsPage {
  data: WireSession[];
  next_cursor: string | null;
  total: number;
}

export function deserializeSessionsPage(wire: WireSessionsPage): UserSessionsPage {
  return { sessions: wire.data.map(deserializeSession), nextCursor: wire.next_cursor, total: wire.total };
}

export interface WireAuditEvent {
  id: string;
  type: string;
  actor: { type: string; id: string | null };
  ip_address: string | null;
  user_agent: string | null;
  data: Record<string, unknown>;
  created_at: string;
}

export function deserializeAuditEvent(wire: WireAuditEvent): AuditEvent {
  return {
    id: wire.id,
    type: wire.type,
    actor: wire.actor,
    ipAddress: wire.ip_address,
    userAgent: wire.user_agent,
    data: wire.data,
    createdAt: date(wire.created_at),
  };
}

export interface WireUserExport {
  exported_at: string;
  user: WireUser;
  sessions: WireSession[];
  mfa_factors: { id: string; type: string; created_at: string }[];
  oauth_connections: { id: string; provider: string; provider_user_id: string; created_at: string }[];
  memberships: { org_id: string; org_name: string; role: string; created_at: string }[];
  audit_events: WireAuditEvent[];
}

export function deserializeUserExport(wire: WireUserExport): UserExport {
  return {
    exportedAt: date(wire.exported_at),
    user: deserializeUser(wire.user),
    sessions: wire.sessions.map(deserializeSession),
    mfaFactors: wire.mfa_factors.map((f) => ({ id: f.id, type: f.type, createdAt: date(f.created_at) })),
    oauthConnections: wire.oauth_connections.map((c) => ({
      id: c.id,
      provider: c.provider,
      providerUserId: c.provider_user_id,
      createdAt: date(c.created_at),
    })),
    memberships: wire.memberships.map((m) => ({ orgId: m.org_id, orgName: m.org_name, role: m.role, createdAt: date(m.created_at) })),
    auditEvents: wire.audit_events.map(deserializeAuditEvent),
  };
}
