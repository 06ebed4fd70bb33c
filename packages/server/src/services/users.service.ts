import { ImpersonationReason, ImpersonationSeconds } from "../contract/schemas.js";
import { newId } from "../crypto/ids.js";
import type { PasswordHasher } from "../crypto/passwords.js";
import { ApiError, invalid, notFound } from "../domain/api-error.js";
import { paginate, type CursorCodec, type PageQuery } from "../domain/cursor.js";
import { mergePatch } from "../domain/merge-patch.js";
import { keysetPages } from "../domain/streamed.js";
import { checkAvatarUrl, checkId, checkMetadataDepth, checkName, checkPassword, checkPhoneNumber, checkUsername, normalizeEmail, serializeMetadata } from "../domain/validation.js";
import { toAuditEvent, type AuditStore } from "../store/audit.store.js";
import { toOAuthConnection, toMfaFactor, type CredentialsStore } from "../store/credentials.store.js";
import type { Database } from "../store/database.js";
import type { IdempotencyStore } from "../store/idempotency.store.js";
import { toUserMembership, type OrganizationsStore } from "../store/organizations.store.js";
import type { Executor } from "../store/schema.js";
import { toSession, type SessionsStore } from "../store/sessions.store.js";
import { toUser, type UserFilters, type UserRow, type UsersStore } from "../store/users.store.js";
import type { AccessToken, Deleted, Page, Session, UncountedPage, User, UserExport } from "../domain/models.js";
import type { AuditLog } from "./audit-log.js";
import type { EventsService } from "./events.service.js";
import { mutation, type MutationContext, type RequestContext } from "./context.js";
import { nameLower, newProfile, type NewProfile } from "./user-profile.js";
import type { OrganizationContext } from "./organization-context.js";
import type { TokenIssuer } from "./token-issuer.js";

/** A new user: its profile, and a password to hash (none: the user cannot sign in with one yet). */
export interface NewUser extends NewProfile {
  password?: string;
}

/**
 * A change to a user: only the fields given change; `null` clears a nullable
 * one, and `metadata` is a JSON merge patch. An admin-set password revokes
 * every session and refresh token of the user unless `revokeSessions` is false.
 */
export interface UserChanges extends Partial<NewProfile> {
  disabled?: boolean;
  password?: string;
  revokeSessions?: boolean;
}

/** How the API names each field of a change: the audit entry and the `user.updated` event list the fields a change named. */
const CHANGED_FIELD_NAMES: Record<keyof UserChanges, string> = {
  email: "email",
  username: "username",
  firstName: "first_name",
  lastName: "last_name",
  phoneNumber: "phone_number",
  avatarUrl: "avatar_url",
  emailVerified: "email_verified",
  metadata: "metadata",
  disabled: "disabled",
  password: "password",
  revokeSessions: "revoke_sessions",
};

/** Which users to list: a page after `cursor`, optionally matching `search`, of one status, or members of one organization. */
export interface UserListQuery {
  limit?: number;
  cursor?: string;
  search?: string;
  status?: "active" | "disabled";
  orgId?: string;
}

/** An impersonation: why (audited), for how long (seconds), and the organization the token acts in. */
export interface ImpersonateInput {
  reason: string;
  expiresIn?: number;
  organizationId?: string;
}

/** The fields a change named, as the API names them, sorted. */
const changedFields = (input: UserChanges): string[] =>
  (Object.keys(input) as (keyof UserChanges)[])
    .filter((key) => input[key] !== undefined)
    .map((key) => CHANGED_FIELD_NAMES[key])
    .sort();

export const DEFAULT_IMPERSONATION_SECONDS = 15 * 60;
export const MAX_IMPERSONATION_SECONDS = ImpersonationSeconds.maximum;

/** What {@link UsersService} needs: its stores, the audit log, hashing, cursors, tokens and events. */
export interface UsersServiceDeps {
  database: Database;
  users: UsersStore;
  sessions: SessionsStore;
  organizations: OrganizationsStore;
  credentials: CredentialsStore;
  auditStore: AuditStore;
  idempotency: IdempotencyStore;
  audit: AuditLog;
  hasher: PasswordHasher;
  cursors: CursorCodec;
  tokens: TokenIssuer;
  events: EventsService;
  organizationContext: OrganizationContext;
}

/** The users API's rules. Each mutation and its audit event commit in one transaction. */
export class UsersService {
  private readonly database: Database;
  private readonly users: UsersStore;
  private readonly sessions: SessionsStore;
  private readonly organizations: OrganizationsStore;
  private readonly credentials: CredentialsStore;
  private readonly auditStore: AuditStore;
  private readonly idempotency: IdempotencyStore;
  private readonly audit: AuditLog;
  private readonly hasher: PasswordHasher;
  private readonly cursors: CursorCodec;
  private readonly tokens: TokenIssuer;
  private readonly events: EventsService;
  private readonly organizationContext: OrganizationContext;

  constructor(deps: UsersServiceDeps) {
    this.database = deps.database;
    this.users = deps.users;
    this.sessions = deps.sessions;
    this.organizations = deps.organizations;
    this.credentials = deps.credentials;
    this.auditStore = deps.auditStore;
    this.idempotency = deps.idempotency;
    this.audit = deps.audit;
    this.hasher = deps.hasher;
    this.cursors = deps.cursors;
    this.tokens = deps.tokens;
    this.events = deps.events;
    this.organizationContext = deps.organizationContext;
  }

  #transaction<T>(work: (trx: Executor) => Promise<T>): Promise<T> {
    return this.database.db.transaction().execute(work);
  }

  /** A mutation's transaction; an idempotent request's response commits with it. */
  #mutation<T>(ctx: RequestContext, work: (trx: Executor) => Promise<T>): Promise<T> {
    return mutation(this.database.db, ctx, work);
  }

  async #mustFind(db: Executor, tenantId: string, userId: string, lock = false): Promise<UserRow> {
    const row = await this.users.find(db, tenantId, checkId(userId, "usr", "user_id"), lock);
    if (row === undefined) throw notFound("user");
    return row;
  }

  /** A unique index refused the write: the email's, or the username's. */
  #emailTaken(error: unknown): never {
    if (this.database.isUniqueViolation(error, "users_tenant_username")) throw new ApiError(409, "username_taken", "A user with this username already exists", "username");
    if (this.database.isUniqueViolation(error)) throw new ApiError(409, "email_taken", "A user with this email already exists", "email");
    throw error;
  }

  async get(ctx: RequestContext, userId: string): Promise<User> {
    return toUser(await this.#mustFind(this.database.db, ctx.tenantId, userId));
  }

  async getByEmail(ctx: RequestContext, email: string): Promise<User> {
    const row = await this.users.findByEmail(this.database.db, ctx.tenantId, normalizeEmail(email).toLowerCase());
    if (row === undefined) throw notFound("user");
    return toUser(row);
  }

  /** A list query's filters, checked, and the cursor's scope (a cursor works only for the filters it was made for). */
  #filters(input: UserListQuery): { filters: UserFilters; scope: { search: string | null; status: string | null; org: string | null } } {
    const filters: UserFilters = { search: input.search, status: input.status };
    if (input.orgId !== undefined) filters.orgId = checkId(input.orgId, "org", "org_id");
    return { filters, scope: { search: filters.search ?? null, status: filters.status ?? null, org: filters.orgId ?? null } };
  }

  async list(ctx: RequestContext, input: UserListQuery): Promise<Page<User>> {
    const limit = input.limit ?? 50;
    const { filters, scope } = this.#filters(input);
    const after = input.cursor === undefined ? undefined : this.cursors.decode(input.cursor, scope);
    const db = this.database.reader;
    // The exact total comes first: it decides how the page is found (see UsersStore.plan).
    const total = await this.users.count(db, ctx.tenantId, filters);
    const plan = await this.users.plan(db, ctx.tenantId, filters, limit, total);
    const rows = await this.users.page(db, ctx.tenantId, filters, limit, after, plan);
    const { items, next } = paginate(rows, limit, (row) => ({ createdAt: row.created_at, id: row.id }));
    return { items: items.map(toUser), nextCursor: next === null ? null : this.cursors.encode(next, scope), total };
  }

  /**
   * The page {@link list} answers (same users, order and cursor) without the
   * total, so its cost does not grow with the number of matches: what the
   * console's search answers each keystroke with. {@link count} gives the total.
   */
  async listPage(ctx: RequestContext, input: UserListQuery): Promise<UncountedPage<User>> {
    const limit = input.limit ?? 50;
    const { filters, scope } = this.#filters(input);
    const after = input.cursor === undefined ? undefined : this.cursors.decode(input.cursor, scope);
    const rows = await this.users.pageWithoutTotal(this.database.reader, ctx.tenantId, filters, limit, after);
    const { items, next } = paginate(rows, limit, (row) => ({ createdAt: row.created_at, id: row.id }));
    return { items: items.map(toUser), nextCursor: next === null ? null : this.cursors.encode(next, scope) };
  }

  /**
   * The exact number of users {@link list} would page through (its `total`).
   * It runs where counts run (`Database.countReader`): on SQLite, a count still
   * waiting for its turn when `signal` fires is dropped, never run.
   */
  async count(ctx: RequestContext, input: Omit<UserListQuery, "limit" | "cursor">, signal?: AbortSignal): Promise<number> {
    const { filters } = this.#filters(input);
    signal?.throwIfAborted();
    return this.users.count(this.database.countReader(signal), ctx.tenantId, filters);
  }

  async create(ctx: MutationContext<User>, input: NewUser): Promise<User> {
    const profile = newProfile(input);
    const passwordHash = input.password === undefined ? null : await this.hasher.hash(checkPassword(input.password));
    const now = Date.now();
    const row: UserRow = {
      id: newId("usr"),
      tenant_id: ctx.tenantId,
      ...profile,
      password_hash: passwordHash,
      disabled: 0,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
    };
    return this.#mutation(ctx, async (trx) => {
      await this.users.insert(trx, row);
      await this.audit.record(trx, ctx, "user.created", row.id);
      const user = toUser(row);
      await this.events.userCreated(trx, ctx, user);
      return user;
    }).catch((error: unknown) => this.#emailTaken(error));
  }

  async update(ctx: MutationContext<User>, userId: string, input: UserChanges): Promise<User> {
    checkId(userId, "usr", "user_id");
    // Validate everything before touching the database.
    const email = input.email === undefined ? undefined : normalizeEmail(input.email);
    const firstName = input.firstName === undefined ? undefined : checkName(input.firstName, "first_name");
    const lastName = input.lastName === undefined ? undefined : checkName(input.lastName, "last_name");
    const phone = input.phoneNumber === undefined ? undefined : checkPhoneNumber(input.phoneNumber);
    const avatar = input.avatarUrl === undefined ? undefined : checkAvatarUrl(input.avatarUrl);
    const username = input.username === undefined ? undefined : checkUsername(input.username);
    if (input.metadata !== undefined) {
      checkMetadataDepth(input.metadata);
      serializeMetadata(input.metadata);
    }
    if (input.revokeSessions !== undefined && input.password === undefined) {
      throw invalid("revoke_sessions", "invalid_revoke_sessions", '"revoke_sessions" applies only together with "password"');
    }
    const passwordHash = input.password === undefined ? undefined : await this.hasher.hash(checkPassword(input.password));
    const now = Date.now();

    return this.#mutation(ctx, async (trx) => {
      // The row lock makes read-merge-write atomic: concurrent patches of different keys all survive.
      const current = await this.#mustFind(trx, ctx.tenantId, userId, true);
      const changes: Partial<UserRow> = { updated_at: now };
      if (email !== undefined) {
        changes.email = email;
        changes.email_lower = email.toLowerCase();
      }
      if (username !== undefined) {
        changes.username = username;
        changes.username_lower = username?.toLowerCase() ?? null;
      }
      if (firstName !== undefined) changes.first_name = firstName;
      if (lastName !== undefined) changes.last_name = lastName;
      changes.name_lower = nameLower(firstName === undefined ? current.first_name : firstName, lastName === undefined ? current.last_name : lastName);
      if (phone !== undefined) changes.phone_number = phone;
      if (avatar !== undefined) changes.avatar_url = avatar;
      if (input.emailVerified !== undefined) changes.email_verified = input.emailVerified ? 1 : 0;
      if (input.metadata !== undefined) changes.metadata = serializeMetadata(mergePatch(JSON.parse(current.metadata), input.metadata));
      if (input.disabled !== undefined) changes.disabled = input.disabled ? 1 : 0;
      if (passwordHash !== undefined) changes.password_hash = passwordHash;
      await this.users.update(trx, ctx.tenantId, current.id, changes);
      if (input.disabled === true && current.disabled === 0) {
        await this.sessions.revokeAllForUser(trx, ctx.tenantId, current.id, now);
      }
      const fields = changedFields(input);
      const user = toUser({ ...current, ...changes });
      await this.audit.record(trx, ctx, "user.updated", current.id, { fields });
      await this.events.userUpdated(trx, ctx, toUser(current), user, fields, now);
      if (passwordHash !== undefined) {
        const revoked = input.revokeSessions === false ? 0 : await this.sessions.revokeAllForUser(trx, ctx.tenantId, current.id, now);
        await this.audit.record(trx, ctx, "user.password_set", current.id, { revoked_sessions: revoked });
        if (revoked > 0) await this.events.sessionsRevoked(trx, ctx, current.id, now);
      }
      return user;
    }).catch((error: unknown) => this.#emailTaken(error));
  }

  /** Blocks sign-in and, in the same transaction, revokes every session and refresh token. */
  disable(ctx: MutationContext<User>, userId: string): Promise<User> {
    return this.#setDisabled(ctx, userId, true);
  }

  /** Allows sign-in again; sessions revoked by `disable` stay revoked. */
  enable(ctx: MutationContext<User>, userId: string): Promise<User> {
    return this.#setDisabled(ctx, userId, false);
  }

  async #setDisabled(ctx: MutationContext<User>, userId: string, disabled: boolean): Promise<User> {
    const now = Date.now();
    return this.#mutation(ctx, async (trx) => {
      const current = await this.#mustFind(trx, ctx.tenantId, userId, true);
      const changes = { disabled: disabled ? 1 : 0, updated_at: now };
      await this.users.update(trx, ctx.tenantId, current.id, changes);
      if (disabled) {
        const revoked = await this.sessions.revokeAllForUser(trx, ctx.tenantId, current.id, now);
        await this.audit.record(trx, ctx, "user.disabled", current.id, { revoked_sessions: revoked });
      } else {
        await this.audit.record(trx, ctx, "user.enabled", current.id);
      }
      const user = toUser({ ...current, ...changes });
      await this.events.userStatusChanged(trx, ctx, user, now);
      return user;
    });
  }

  /**
   * Deletes the user and every row about them; one `user.deleted` event (ID,
   * time, actor) remains. Deleting an already deleted user answers the same,
   * so a retried delete is safe without a stored response.
   */
  async delete(ctx: MutationContext<Deleted>, userId: string): Promise<Deleted> {
    checkId(userId, "usr", "user_id");
    return this.#mutation(ctx, async (trx) => {
      const current = await this.users.find(trx, ctx.tenantId, userId, true);
      if (current === undefined) {
        if (!(await this.auditStore.hasEvent(trx, ctx.tenantId, "user.deleted", userId))) throw notFound("user");
        return { id: userId, deleted: true as const };
      }
      await this.credentials.deleteAllForUser(trx, ctx.tenantId, userId);
      await this.auditStore.deleteAboutUser(trx, ctx.tenantId, userId);
      // Stored responses about the user (of the create, an impersonation…) go too, found by their subject.
      await this.idempotency.deleteForResource(trx, ctx.tenantId, userId);
      // So do the feed's earlier events about the user (their profile, sessions, memberships).
      await this.events.eraseUser(trx, ctx, userId);
      await this.users.delete(trx, ctx.tenantId, userId);
      await this.audit.record(trx, ctx, "user.deleted", userId);
      await this.events.userDeleted(trx, ctx, userId);
      return { id: userId, deleted: true as const };
    });
  }

  async impersonate(ctx: MutationContext<AccessToken>, userId: string, input: ImpersonateInput): Promise<AccessToken> {
    const reason = input.reason.trim();
    if (reason === "" || reason.length > ImpersonationReason.maxLength) {
      throw invalid("reason", "invalid_reason", `"reason" is required: 1 to ${ImpersonationReason.maxLength} characters saying why you impersonate`);
    }
    const seconds = input.expiresIn ?? DEFAULT_IMPERSONATION_SECONDS;
    if (!Number.isInteger(seconds) || seconds < ImpersonationSeconds.minimum || seconds > MAX_IMPERSONATION_SECONDS) {
      throw invalid("expires_in", "invalid_expires_in", `"expires_in" must be 1 to ${MAX_IMPERSONATION_SECONDS} seconds`);
    }
    const keyId = ctx.actor.id ?? "system";
    const now = Date.now();
    const sessionId = newId("ses");
    // Signed inside the transaction (so an idempotent replay can return it), with a key fetched before it.
    const sign = await this.tokens.signerFor(ctx.tenantId);
    return this.#mutation(ctx, async (trx) => {
      const current = await this.#mustFind(trx, ctx.tenantId, userId, true);
      if (current.disabled === 1) throw new ApiError(403, "user_disabled", "Disabled users cannot be impersonated", "user_id");
      const organization = input.organizationId === undefined ? undefined : await this.organizationContext.select(trx, ctx.tenantId, current.id, input.organizationId);
      await this.sessions.insert(trx, {
        id: sessionId,
        tenant_id: ctx.tenantId,
        user_id: current.id,
        created_at: now,
        expires_at: now + seconds * 1000,
        revoked_at: null,
        last_used_at: null,
        ip_address: ctx.ip,
        user_agent: ctx.userAgent,
        impersonator_id: keyId,
        impersonation_reason: reason,
        organization_id: organization?.id ?? null,
      });
      await this.audit.record(trx, ctx, "user.impersonated", current.id, {
        reason,
        session_id: sessionId,
        expires_in: seconds,
        ...(organization === undefined ? {} : { organization_id: organization.id }),
      });
      await this.events.sessionCreated(trx, ctx, sessionId);
      const { token, expiresAt } = sign({ tenantId: ctx.tenantId, userId: current.id, sessionId, expiresInSeconds: seconds, actor: { keyId, reason }, organization });
      return { accessToken: token, expiresAt, sessionId };
    });
  }

  /** The user's sessions, newest first, with their status; audited, since they reveal IPs and devices. */
  async listSessions(ctx: RequestContext, userId: string, input: PageQuery): Promise<Page<Session>> {
    const limit = input.limit ?? 50;
    return this.#transaction(async (trx) => {
      const user = await this.#mustFind(trx, ctx.tenantId, userId);
      const scope = { sessions: user.id };
      const after = input.cursor === undefined ? undefined : this.cursors.decode(input.cursor, scope);
      const rows = await this.sessions.pageForUser(trx, ctx.tenantId, user.id, limit + 1, after);
      const total = await this.sessions.countForUser(trx, ctx.tenantId, user.id);
      await this.audit.record(trx, ctx, "user.sessions_listed", user.id);
      const { items, next } = paginate(rows, limit, (row) => ({ createdAt: row.created_at, id: row.id }));
      return { items: items.map(toSession), nextCursor: next === null ? null : this.cursors.encode(next, scope), total };
    });
  }

  /**
   * Revokes one session of the user and its refresh tokens. `checkRevoked`
   * refuses its access tokens at once; without it they last until expiry.
   * Revoking a revoked session answers the same without a second event.
   */
  async revokeSession(ctx: MutationContext<Session>, userId: string, sessionId: string): Promise<Session> {
    checkId(sessionId, "ses", "session_id");
    const now = Date.now();
    return this.#mutation(ctx, async (trx) => {
      const user = await this.#mustFind(trx, ctx.tenantId, userId, true);
      const session = await this.sessions.find(trx, ctx.tenantId, sessionId);
      if (session === undefined || session.user_id !== user.id) throw notFound("session");
      if (session.revoked_at !== null) return toSession(session);
      await this.sessions.revoke(trx, ctx.tenantId, session.id, now);
      await this.audit.record(trx, ctx, "session.revoked", user.id, { session_id: session.id });
      await this.events.sessionsRevoked(trx, ctx, user.id, now, session.id);
      return toSession({ ...session, revoked_at: now });
    });
  }

  /**
   * Everything about the user (GDPR), as a document the HTTP edge streams:
   * sessions and audit events are read a page at a time while it is written,
   * so a user with a long history neither blocks other requests nor fills memory.
   */
  async export(ctx: RequestContext, userId: string): Promise<UserExport> {
    const user = await this.#transaction(async (trx) => {
      const current = await this.#mustFind(trx, ctx.tenantId, userId);
      await this.audit.record(trx, ctx, "user.exported", current.id);
      return current;
    });
    const db = this.database.db;
    const [mfa, oauth, memberships] = await Promise.all([
      this.credentials.mfaFactors(db, ctx.tenantId, user.id),
      this.credentials.oauthConnections(db, ctx.tenantId, user.id),
      this.organizations.membershipsOfUser(db, ctx.tenantId, user.id),
    ]);
    return {
      exportedAt: Date.now(),
      user: toUser(user),
      sessions: keysetPages((after, limit) => this.sessions.pageForUser(db, ctx.tenantId, user.id, limit, after), toSession),
      mfaFactors: mfa.map(toMfaFactor),
      oauthConnections: oauth.map(toOAuthConnection),
      memberships: memberships.map(toUserMembership),
      auditEvents: keysetPages(
        [
          (after, limit) => this.auditStore.pageAboutUser(db, ctx.tenantId, user.id, limit, after),
          (after, limit) => this.auditStore.pageByUser(db, ctx.tenantId, user.id, limit, after),
        ],
        toAuditEvent,
      ),
    };
  }
}
