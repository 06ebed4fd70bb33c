import type {
  AccessToken,
  AuditEvent,
  Deleted,
  FeedEvent,
  FeedPage,
  Jwks,
  Membership,
  MfaFactor,
  OAuthConnection,
  OpenIdConfiguration,
  Organization,
  Page,
  Session,
  SessionTokens,
  SignedIn,
  SignedOut,
  User,
  UserExport,
  UserMembership,
  WebhookAttempt,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointWithSecret,
} from "../domain/models.js";
import { sessionStatus } from "../domain/models.js";
import { StreamedDocument } from "../domain/streamed.js";
import type { LimitsHealth } from "../limits/limiter-store.js";
import type { RefreshInput, SignInInput } from "../services/auth.service.js";
import type { NewMember } from "../services/organizations.service.js";
import type { ExportedUserRecord, ImportResult, ImportUser } from "../services/user-transfer.service.js";
import type { NewProfile } from "../services/user-profile.js";
import type { ImpersonateInput, NewUser, UserChanges } from "../services/users.service.js";
import type { Wire } from "./schemas.js";

// The HTTP edge's mapping, typed by the contract's schemas: validated request
// bodies to the services' domain inputs (`fromWire…`), and domain values to the
// API's wire format (`wire…`: snake_case, ISO-8601). Rows never reach here.

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

// ---------------------------------------------------------------------------
// Requests
// ---------------------------------------------------------------------------

/** The profile fields that create, update and import share, as the wire names them. */
type WireProfile = Pick<Wire<"UpdateUserRequest">, "username" | "first_name" | "last_name" | "phone_number" | "avatar_url" | "email_verified" | "metadata">;

// Every request mapper takes its body apart by name; what is left must be empty (or, for the
// profile, nothing beyond the profile's fields). A field added to a request schema then fails
// the type check at its mapper until it is mapped, instead of being dropped without a word.
const mapsEveryKey = (_rest: Record<string, never>): void => undefined;
/** `T` when it has no key beyond the profile's, else `never` (so assigning to it fails). */
type OnlyProfile<T> = Exclude<keyof T, keyof WireProfile> extends never ? T : never;

function fromWireProfile(body: WireProfile): Omit<NewProfile, "email"> {
  const { username, first_name, last_name, phone_number, avatar_url, email_verified, metadata, ...rest } = body;
  mapsEveryKey(rest);
  return { username, firstName: first_name, lastName: last_name, phoneNumber: phone_number, avatarUrl: avatar_url, emailVerified: email_verified, metadata };
}

export function fromWireCreateUser(body: Wire<"CreateUserRequest">): NewUser {
  const { email, password, ...profile } = body;
  const checked: OnlyProfile<typeof profile> = profile;
  return { email, password, ...fromWireProfile(checked) };
}

export function fromWireUpdateUser(body: Wire<"UpdateUserRequest">): UserChanges {
  const { email, disabled, password, revoke_sessions, ...profile } = body;
  const checked: OnlyProfile<typeof profile> = profile;
  return { email, ...fromWireProfile(checked), disabled, password, revokeSessions: revoke_sessions };
}

/** One user of an import batch, as the API receives it (and as `users import` reads it from a file). */
export interface ImportUserInput {
  /** Keep this ID (`usr_…`), e.g. when moving between HelloJohn servers; a new one otherwise. */
  id?: string;
  email: string;
  /** A plaintext password, hashed with Argon2id. Give this or `password_hash`, not both. */
  password?: string;
  /** A bcrypt, Argon2 or Firebase scrypt hash, stored as is and upgraded at the first sign-in. */
  password_hash?: string;
  /** Unique per tenant, case-insensitively; a taken one refuses the row. */
  username?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone_number?: string | null;
  avatar_url?: string | null;
  email_verified?: boolean;
  metadata?: Record<string, unknown>;
  disabled?: boolean;
  /** When the user was created at the provider (ISO 8601); default now. */
  created_at?: string;
}

export function fromWireImportUser(user: ImportUserInput): ImportUser {
  const { id, email, password, password_hash, disabled, created_at, ...profile } = user;
  const checked: OnlyProfile<typeof profile> = profile;
  return { id, email, password, passwordHash: password_hash, ...fromWireProfile(checked), disabled, createdAt: created_at };
}

export function fromWireImpersonate(body: Wire<"ImpersonateRequest">): ImpersonateInput {
  const { reason, expires_in, organization_id, ...rest } = body;
  mapsEveryKey(rest);
  return { reason, expiresIn: expires_in, organizationId: organization_id };
}

export function fromWireAddMember(body: Wire<"AddMemberRequest">): NewMember {
  const { user_id, role, ...rest } = body;
  mapsEveryKey(rest);
  return { userId: user_id, role };
}

export function fromWireSignIn(body: Wire<"SignInRequest">): SignInInput {
  const { email, password, organization_id, audience, authorized_party, ...rest } = body;
  mapsEveryKey(rest);
  return { email, password, organizationId: organization_id, audience, authorizedParty: authorized_party };
}

export function fromWireRefresh(body: Wire<"RefreshRequest">): RefreshInput {
  const { refresh_token, organization_id, audience, authorized_party, ...rest } = body;
  mapsEveryKey(rest);
  return { refreshToken: refresh_token, organizationId: organization_id, audience, authorizedParty: authorized_party };
}

// ---------------------------------------------------------------------------
// Responses
// ---------------------------------------------------------------------------

/** A page of domain values as the API lists them: `data`, `next_cursor`, `total`. */
function wirePage<T, W>(toWire: (item: T) => W): (page: Page<T>) => { data: W[]; next_cursor: string | null; total: number } {
  return (page) => ({ data: page.items.map((item) => toWire(item)), next_cursor: page.nextCursor, total: page.total });
}

export const wireDeleted = (deleted: Deleted): Wire<"Deleted"> => ({ id: deleted.id, deleted: deleted.deleted });

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

/** A session as `checkRevoked` asks about it. */
export const wireSessionStatus = (session: Session): Wire<"SessionStatus"> => ({
  id: session.id,
  user_id: session.userId,
  status: sessionStatus(session, Date.now()),
  expires_at: iso(session.expiresAt),
  revoked_at: isoOrNull(session.revokedAt),
});

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

/** Everything about a user, streamed: sessions and audit events are mapped page by page as they are written. */
export function wireUserExport(exported: UserExport): StreamedDocument {
  const now = Date.now();
  return new StreamedDocument({
    exported_at: iso(exported.exportedAt),
    user: wireUser(exported.user),
    sessions: exported.sessions.map((session) => wireSession(session, now)),
    mfa_factors: exported.mfaFactors.map(wireMfaFactor),
    oauth_connections: exported.oauthConnections.map(wireOAuthConnection),
    memberships: exported.memberships.map(wireUserMembership),
    audit_events: exported.auditEvents.map(wireAuditEvent),
  });
}

export const wireImpersonation = (token: AccessToken): Wire<"Impersonation"> => ({
  access_token: token.accessToken,
  expires_at: iso(token.expiresAt),
  session_id: token.sessionId,
});

export const wireSessionTokens = (tokens: SessionTokens): Wire<"Tokens"> => ({
  token_type: "Bearer",
  access_token: tokens.accessToken,
  expires_at: iso(tokens.expiresAt),
  refresh_token: tokens.refreshToken,
  session_id: tokens.sessionId,
});

export const wireSignedIn = (signedIn: SignedIn): Wire<"Tokens"> => ({ ...wireSessionTokens(signedIn), user: wireUser(signedIn.user) });

export const wireSignedOut = (signedOut: SignedOut): Wire<"SignedOut"> => ({ session_id: signedOut.sessionId, revoked: signedOut.revoked });

export const wireJwks = (jwks: Jwks): Wire<"Jwks"> => ({ keys: jwks.keys.map((key) => ({ kty: key.kty, crv: key.crv, x: key.x, kid: key.kid, alg: key.alg, use: key.use })) });

export const wireOpenIdConfiguration = (configuration: OpenIdConfiguration): Wire<"OpenIdConfiguration"> => ({
  issuer: configuration.issuer,
  jwks_uri: configuration.jwksUri,
  id_token_signing_alg_values_supported: configuration.signingAlgorithms,
  subject_types_supported: configuration.subjectTypes,
  claims_supported: configuration.claims,
});

export const wireImportResult = (result: ImportResult): Wire<"ImportUsersResult"> => ({
  created: result.created,
  skipped: result.skipped,
  refused: result.refused,
  results: result.results.map((row) => ({
    index: row.index,
    status: row.status,
    id: row.id,
    email: row.email,
    error: row.error === null ? null : { code: row.error.code, message: row.error.message, param: row.error.param },
  })),
});

/** An event as the feed lists it and webhooks deliver it. */
export const wireEvent = (event: FeedEvent): Wire<"Event"> => ({
  id: event.id,
  type: event.type,
  created_at: iso(event.createdAt),
  data: event.data,
  ...(event.changedFields === null ? {} : { changed_fields: event.changedFields }),
});

export const wireFeedPage = (page: FeedPage): Wire<"EventsPage"> => ({ data: page.items.map(wireEvent), next_cursor: page.nextCursor });

export const wireWebhookEndpoint = (endpoint: WebhookEndpoint): Wire<"WebhookEndpoint"> => ({
  id: endpoint.id,
  url: endpoint.url,
  description: endpoint.description,
  events: endpoint.events,
  disabled: endpoint.disabled,
  disabled_reason: endpoint.disabledReason,
  created_at: iso(endpoint.createdAt),
  updated_at: iso(endpoint.updatedAt),
});

export const wireWebhookEndpointWithSecret = (endpoint: WebhookEndpointWithSecret): Wire<"WebhookEndpointWithSecret"> => ({
  ...wireWebhookEndpoint(endpoint),
  secret: endpoint.secret,
});

export const wireWebhookAttempt = (attempt: WebhookAttempt): Wire<"WebhookAttempt"> => ({
  id: attempt.id,
  attempted_at: iso(attempt.attemptedAt),
  status_code: attempt.statusCode,
  latency_ms: attempt.latencyMs,
  succeeded: attempt.succeeded,
  response_excerpt: attempt.responseExcerpt,
  error: attempt.error,
});

export const wireWebhookDelivery = (delivery: WebhookDelivery): Wire<"WebhookDelivery"> => ({
  id: delivery.id,
  endpoint_id: delivery.endpointId,
  event_id: delivery.eventId,
  event_type: delivery.eventType,
  status: delivery.status,
  attempt_count: delivery.attemptCount,
  next_attempt_at: isoOrNull(delivery.nextAttemptAt),
  created_at: iso(delivery.createdAt),
  updated_at: iso(delivery.updatedAt),
  attempts: delivery.attempts.map(wireWebhookAttempt),
});

export const wireUsersPage: (page: Page<User>) => Wire<"UsersPage"> = wirePage(wireUser);
export const wireSessionsPage: (page: Page<Session>) => Wire<"SessionsPage"> = wirePage(wireSession);
export const wireOrganizationsPage: (page: Page<Organization>) => Wire<"OrganizationsPage"> = wirePage(wireOrganization);
export const wireMembershipsPage: (page: Page<Membership>) => Wire<"MembershipsPage"> = wirePage(wireMembership);
export const wireWebhookEndpointsPage: (page: Page<WebhookEndpoint>) => Wire<"WebhookEndpointsPage"> = wirePage(wireWebhookEndpoint);
export const wireWebhookDeliveriesPage: (page: Page<WebhookDelivery>) => Wire<"WebhookDeliveriesPage"> = wirePage(wireWebhookDelivery);

export const wireHealth = (limits: LimitsHealth): Wire<"Health"> => ({ status: "ok", limits });

// ---------------------------------------------------------------------------
// The `users export` file: one user per line
// ---------------------------------------------------------------------------

/** One line of a `users export` file. */
export type ExportedUser = Wire<"User"> & {
  memberships: ReturnType<typeof wireUserMembership>[];
  password_hash?: string | null;
};

export function wireExportedUser(record: ExportedUserRecord): ExportedUser {
  const line: ExportedUser = { ...wireUser(record.user), memberships: record.memberships.map(wireUserMembership) };
  if (record.passwordHash !== undefined) line.password_hash = record.passwordHash;
  return line;
}
