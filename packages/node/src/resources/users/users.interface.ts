import type { ListPage } from "../../core/page-promise.js";

/** JSON-compatible metadata values. */
export type MetadataValue = string | number | boolean | null | MetadataValue[] | { [key: string]: MetadataValue };

/** A user of your tenant. */
export interface User {
  /** `usr_` followed by a 26-character ULID. */
  id: string;
  email: string;
  emailVerified: boolean;
  /** Unique in the tenant regardless of case, shown as the user wrote it; `null` when the user has none. */
  username: string | null;
  firstName: string | null;
  lastName: string | null;
  /** E.164, e.g. `+14155550123`. */
  phoneNumber: string | null;
  /** An http(s) URL. */
  avatarUrl: string | null;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  lastSignInAt: Date | null;
  disabled: boolean;
}

/** Filters and paging for {@link Users.list}. */
export interface ListUsersParams {
  /** Results per page, 1–100. Default 50. */
  limit?: number | undefined;
  /** `nextCursor` of the previous page. */
  cursor?: string | undefined;
  /** Case-insensitive substring of email, username, first, last or full name; or an exact user ID. */
  search?: string | undefined;
  status?: "active" | "disabled" | undefined;
  /** Only members of this organization. */
  orgId?: string | undefined;
}

/** One page of users: `{ users, nextCursor, total }`; `total` counts the users that match the filters, across all pages. */
export type UsersPage = ListPage<"users", User>;

/** The profile fields that creating, updating and importing a user all take. */
export interface UserProfileParams {
  /**
   * 3–64 letters, digits, `.`, `_` or `-`, starting with a letter or digit;
   * unique in the tenant regardless of case (`409 username_taken` otherwise;
   * an import refuses the row). `null` removes it.
   */
  username?: string | null | undefined;
  firstName?: string | null | undefined;
  lastName?: string | null | undefined;
  /** E.164, e.g. `+14155550123`. */
  phoneNumber?: string | null | undefined;
  /** An http(s) URL. */
  avatarUrl?: string | null | undefined;
  /** Mark the email as verified (skips the verification email). Default false on create. */
  emailVerified?: boolean | undefined;
  metadata?: Record<string, MetadataValue> | undefined;
}

/** Fields for {@link Users.create}. */
export interface CreateUserParams extends UserProfileParams {
  email: string;
  /** 8–128 characters. Omit for users who sign in another way. */
  password?: string | undefined;
}

/** Fields for {@link Users.update}; omitted fields are left as they are. */
export interface UpdateUserParams extends UserProfileParams {
  email?: string | undefined;
  /** A JSON Merge Patch (RFC 7396): objects merge, `null` removes a key. */
  metadata?: Record<string, MetadataValue> | undefined;
  /** `true` disables the user exactly as {@link Users.disable} does. */
  disabled?: boolean | undefined;
  /**
   * Sets the user's password (8–128 characters), hashed like any password.
   * Revokes every session and refresh token of the user, unless `revokeSessions` is `false`.
   */
  password?: string | undefined;
  /** With `password`: revoke the user's sessions (default `true`). Without `password` it is a `ValidationError`. */
  revokeSessions?: boolean | undefined;
}

/** A duration: seconds, or a string such as `"90s"`, `"15m"`, `"1h"`. */
export type Duration = number | `${number}${"s" | "m" | "h"}`;

/** Options for {@link Users.impersonate}. */
export interface ImpersonateParams {
  /** Why you are impersonating (audited). 1–500 characters. */
  reason: string;
  /** Token lifetime; default 15 minutes, at most 1 hour. */
  expiresIn?: Duration | undefined;
  /** Act in this organization: the token carries `org_id` and the user's `org_role` there. The user must be a member. */
  organizationId?: string | undefined;
}

/** An impersonation session. */
export interface ImpersonationResult {
  accessToken: string;
  expiresAt: Date;
  sessionId: string;
}

/** The result of {@link Users.delete}. */
export interface DeletedUser {
  id: string;
  deleted: true;
}

/** A session of a user, as {@link Users.listSessions} and the export list it. */
export interface UserSession {
  id: string;
  /** `active`, `revoked` (sign-out, disable, password set, revokeSession, refresh-token reuse) or `expired`. */
  status: "active" | "revoked" | "expired";
  createdAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  ipAddress: string | null;
  userAgent: string | null;
  /** Set when the session was created by impersonation. */
  impersonator: { actorId: string; reason: string } | null;
  /** The organization selected when the session was opened. */
  organizationId: string | null;
}

/** Paging for {@link Users.listSessions}. */
export interface ListUserSessionsParams {
  /** 1–100. Default 50. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** One page of a user's sessions, newest first: `{ sessions, nextCursor, total }`; `total` counts all of the user's sessions. */
export type UserSessionsPage = ListPage<"sessions", UserSession>;

/** An MFA factor, without its secret. */
export interface UserMfaFactor {
  id: string;
  type: string;
  createdAt: Date;
}

/** A linked OAuth account, without its tokens. */
export interface UserOAuthConnection {
  id: string;
  provider: string;
  providerUserId: string;
  createdAt: Date;
}

/** An organization membership. */
export interface UserMembership {
  orgId: string;
  orgName: string;
  role: string;
  createdAt: Date;
}

/** An audit event about the user. */
export interface AuditEvent {
  id: string;
  type: string;
  actor: { type: string; id: string | null };
  ipAddress: string | null;
  userAgent: string | null;
  data: Record<string, unknown>;
  createdAt: Date;
}

/** Everything HelloJohn holds about a user (GDPR export). Never contains secrets. */
export interface UserExport {
  exportedAt: Date;
  user: User;
  sessions: UserSession[];
  mfaFactors: UserMfaFactor[];
  oauthConnections: UserOAuthConnection[];
  memberships: UserMembership[];
  auditEvents: AuditEvent[];
}
