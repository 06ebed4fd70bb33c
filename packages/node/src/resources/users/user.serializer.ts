import { mapsEveryKey, toWire, deserializeList, wireDate, wireNullableDate, type Wire, type WireNames, type WireQuery } from "../../core/wire.js";
import { parseDuration } from "../../core/duration.js";
import { requireNonEmpty } from "../../core/path.js";
import type {
  AuditEvent,
  CreateUserParams,
  ImpersonateParams,
  ImpersonationResult,
  ListUsersParams,
  UpdateUserParams,
  User,
  UserExport,
  UserSession,
  UserSessionsPage,
  UsersPage,
} from "./users.interface.js";

// The users API's wire format: the only place it is read or written.

export function deserializeUser(wire: Wire<"User">): User {
  const { id, email, email_verified, username, first_name, last_name, phone_number, avatar_url, metadata, created_at, updated_at, last_sign_in_at, disabled, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return {
    id,
    email,
    emailVerified: email_verified,
    username,
    firstName: first_name,
    lastName: last_name,
    phoneNumber: phone_number,
    avatarUrl: avatar_url,
    metadata,
    createdAt: wireDate(created_at),
    updatedAt: wireDate(updated_at),
    lastSignInAt: wireNullableDate(last_sign_in_at),
    disabled,
  };
}

export const deserializeUsersPage: (wire: Wire<"UsersPage">) => UsersPage = deserializeList("users", deserializeUser);

/** The wire names of the profile fields (`UserProfileParams`) and the email, shared by create, update and import. */
export const PROFILE_FIELDS = {
  email: "email",
  username: "username",
  firstName: "first_name",
  lastName: "last_name",
  phoneNumber: "phone_number",
  avatarUrl: "avatar_url",
  emailVerified: "email_verified",
  metadata: "metadata",
} as const;

const CREATE_FIELDS: WireNames<CreateUserParams, Wire<"CreateUserRequest">> = { ...PROFILE_FIELDS, password: "password" };
const UPDATE_FIELDS: WireNames<UpdateUserParams, Wire<"UpdateUserRequest">> = {
  ...PROFILE_FIELDS,
  disabled: "disabled",
  password: "password",
  revokeSessions: "revoke_sessions",
};

export const serializeCreateUser = (params: CreateUserParams): Record<string, unknown> => toWire(params, CREATE_FIELDS);
export const serializeUpdateUser = (params: UpdateUserParams): Record<string, unknown> => toWire(params, UPDATE_FIELDS);

export function serializeListUsersQuery(params: ListUsersParams, cursor: string | undefined): WireQuery<"/v1/users"> {
  return { limit: params.limit, cursor, search: params.search, status: params.status, org_id: params.orgId };
}

export function serializeImpersonate(params: ImpersonateParams): Wire<"ImpersonateRequest"> {
  const body: Wire<"ImpersonateRequest"> = { reason: params?.reason };
  if (params?.expiresIn !== undefined) body.expires_in = parseDuration(params.expiresIn, "expiresIn");
  if (params?.organizationId !== undefined) body.organization_id = requireNonEmpty(params.organizationId, "organizationId");
  return body;
}

export function deserializeImpersonation(wire: Wire<"Impersonation">): ImpersonationResult {
  const { access_token, expires_at, session_id, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return { accessToken: access_token, expiresAt: wireDate(expires_at), sessionId: session_id };
}

export function deserializeSession(wire: Wire<"Session">): UserSession {
  const { id, status, created_at, expires_at, revoked_at, last_used_at, ip_address, user_agent, impersonator, organization_id, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return {
    id,
    status,
    createdAt: wireDate(created_at),
    expiresAt: wireDate(expires_at),
    revokedAt: wireNullableDate(revoked_at),
    lastUsedAt: wireNullableDate(last_used_at),
    ipAddress: ip_address,
    userAgent: user_agent,
    impersonator: impersonator == null ? null : { actorId: impersonator.actor_id, reason: impersonator.reason },
    organizationId: organization_id ?? null,
  };
}

export const deserializeSessionsPage: (wire: Wire<"SessionsPage">) => UserSessionsPage = deserializeList("sessions", deserializeSession);

export function deserializeAuditEvent(wire: Wire<"AuditEvent">): AuditEvent {
  const { id, type, actor, ip_address, user_agent, data, created_at, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return { id, type, actor, ipAddress: ip_address, userAgent: user_agent, data, createdAt: wireDate(created_at) };
}

export function deserializeUserExport(wire: Wire<"UserExport">): UserExport {
  const { exported_at, user, sessions, mfa_factors, oauth_connections, memberships, audit_events, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return {
    exportedAt: wireDate(exported_at),
    user: deserializeUser(user),
    sessions: sessions.map(deserializeSession),
    mfaFactors: mfa_factors.map((f) => ({ id: f.id, type: f.type, createdAt: wireDate(f.created_at) })),
    oauthConnections: oauth_connections.map((c) => ({ id: c.id, provider: c.provider, providerUserId: c.provider_user_id, createdAt: wireDate(c.created_at) })),
    memberships: memberships.map((m) => ({ orgId: m.org_id, orgName: m.org_name, role: m.role, createdAt: wireDate(m.created_at) })),
    auditEvents: audit_events.map(deserializeAuditEvent),
  };
}
