import type { StreamedList } from "./streamed.js";

// The server's domain values: what stores produce from rows, what services
// take and return, and what the wire mappers (contract/wire.ts) turn into the
// API's JSON. camelCase, times in epoch milliseconds, metadata parsed; no
// storage encoding (0/1 flags, serialized JSON). Secrets only where a result
// exists to hand one over once (a new token, a new webhook secret).

/** One page of a list, newest first, and how to get the next. */
export interface Page<T> {
  items: T[];
  /** Opaque: pass it back for the next page; `null` on the last one. */
  nextCursor: string | null;
  /** How many there are in all (every page). */
  total: number;
}

/** A page without its total, for readers that fetch the total separately (the console's search). */
export type UncountedPage<T> = Omit<Page<T>, "total">;

/** The answer to a delete (also of something already deleted). */
export interface Deleted {
  id: string;
  deleted: true;
}

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

/** Everything about a user (GDPR); sessions and audit events are read page by page while it is written out. */
export interface UserExport {
  exportedAt: number;
  user: User;
  sessions: StreamedList<Session>;
  mfaFactors: MfaFactor[];
  oauthConnections: OAuthConnection[];
  memberships: UserMembership[];
  auditEvents: StreamedList<AuditEvent>;
}

/** An access token a session was issued. */
export interface AccessToken {
  accessToken: string;
  expiresAt: number;
  sessionId: string;
}

/** A signed-in or refreshed session's tokens; the single-use refresh token is shown only here. */
export interface SessionTokens extends AccessToken {
  refreshToken: string;
}

/** A sign-in's tokens, with the user who signed in. */
export interface SignedIn extends SessionTokens {
  user: User;
}

/** A session ended by signing out. */
export interface SignedOut {
  sessionId: string;
  revoked: true;
}

/** An event of the feed, as webhooks deliver it; `data` is the object as the API showed it when the event happened. */
export interface FeedEvent {
  id: string;
  type: string;
  data: Record<string, unknown>;
  /** On `*.updated` events: the fields the change named. */
  changedFields: string[] | null;
  createdAt: number;
}

/** A page of the feed, oldest first; `nextCursor` is the last event's ID when more follow. */
export interface FeedPage {
  items: FeedEvent[];
  nextCursor: string | null;
}

/** A webhook endpoint (never its secret). */
export interface WebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  disabled: boolean;
  disabledReason: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A webhook endpoint just created or given a new secret: the only time the secret is shown. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  secret: string;
}

/** One attempt to deliver an event to an endpoint. */
export interface WebhookAttempt {
  id: string;
  attemptedAt: number;
  statusCode: number | null;
  latencyMs: number;
  succeeded: boolean;
  responseExcerpt: string | null;
  error: string | null;
}

/** An event's delivery to one endpoint, with every attempt made. */
export interface WebhookDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: "pending" | "succeeded" | "failed";
  attemptCount: number;
  nextAttemptAt: number | null;
  createdAt: number;
  updatedAt: number;
  attempts: WebhookAttempt[];
}

/** A public signing key as the JWKS lists it (RFC 7517 names). */
export interface PublicJwk {
  kty: string;
  crv: string;
  x: string;
  kid: string;
  alg: string;
  use: string;
}

/** A tenant's public signing keys. */
export interface Jwks {
  keys: PublicJwk[];
}

/** A tenant's OpenID discovery document: what its tokens' `iss` is and where its keys are. */
export interface OpenIdConfiguration {
  issuer: string;
  jwksUri: string;
  signingAlgorithms: string[];
  subjectTypes: string[];
  claims: string[];
}
