import { ImpersonationReason, ImpersonationSeconds } from "../contract/schemas.js";
import { newId } from "../crypto/ids.js";
import type { PasswordHasher } from "../crypto/passwords.js";
import { ApiError, invalid, notFound } from "../domain/api-error.js";
import { paginate, type CursorCodec } from "../domain/cursor.js";
import { mergePatch } from "../domain/merge-patch.js";
import { keysetPages, StreamedDocument } from "../domain/streamed.js";
import { checkAvatarUrl, checkId, checkMetadataDepth, checkName, checkPassword, checkPhoneNumber, checkUsername, normalizeEmail, serializeMetadata } from "../domain/validation.js";
import { toAuditEvent, type AuditStore } from "../store/audit.store.js";
import { toOAuthConnection, toMfaFactor, type CredentialsStore } from "../store/credentials.store.js";
import type { Database } from "../store/database.js";
import type { IdempotencyStore } from "../store/idempotency.store.js";
import { toUserMembership, type OrganizationsStore } from "../store/organizations.store.js";
import type { Executor } from "../store/schema.js";
import { toSession, type SessionsStore } from "../store/sessions.store.js";
import { toUser, type UserFilters, type UserRow, type UsersStore } from "../store/users.store.js";
import { iso, wireAuditEvent, wireMfaFactor, wireOAuthConnection, wireSession, wireUser, wireUserMembership } from "../contract/wire.js";
import type { AuditLog } from "./audit-log.js";
import type { EventsService } from "./events.service.js";
import { mutation, type RequestContext } from "./context.js";
import { nameLower, newProfile } from "./user-profile.js";
import type { OrganizationContext } from "./organization-context.js";
import type { TokenIssuer } from "./token-issuer.js";
import type { Wire } from "../contract/schemas.js";

/** A new user as the API receives it: the contract's `CreateUserRequest`. */
export type CreateUserInput = Wire<"CreateUserRequest">;

/**
 * A change to a user: the contract's `UpdateUserRequest`. An admin-set
 * password revokes every session and refresh token of the user unless
 * `revoke_sessions` is false.
 */
export type UpdateUserInput = Wire<"UpdateUserRequest">;

export interface ListUsersInput {
  limit?: number;
  cursor?: string;
  search?: string;
  status?: "active" | "disabled";
  org_id?: string;
}

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

  async get(ctx: RequestContext, userId: string) {
    return wireUser(toUser(await this.#mustFind(this.database.db, ctx.tenantId, userId)));
  }

  async getByEmail(ctx: RequestContext, email: string) {
    const row = await this.users.findByEmail(this.database.db, ctx.tenantId, normalizeEmail(email).toLowerCase());
    if (row === undefined) throw notFound("user");
    return wireUser(toUser(row));
  }

  async list(ctx: RequestContext, input: ListUsersInput) {
    const limit = input.limit ?? 50;
    const filters: UserFilters = { search: input.search, status: input.status };
    if (input.org_id !== undefined) filters.orgId = checkId(input.org_id, "org", "org_id");
    const scope = { search: filters.search ?? null, status: filters.status ?? null, org: filters.orgId ?? null };
    const after = input.cursor === undefined ? undefined : this.cursors.decode(input.cursor, scope);
    const db = this.database.reader;
    // The exact total comes first: it decides how the page is found (see UsersStore.plan).
    const total = await this.users.count(db, ctx.tenantId, filters);
    const plan = await this.users.plan(db, ctx.tenantId, filters, limit, total);
    const rows = await this.users.page(db, ctx.tenantId, filters, limit, after, plan);
    const { items, next } = paginate(rows, limit, (row) => ({ createdAt: row.created_at, id: row.id }));
    return { data: items.map((row) => wireUser(toUser(row))), next_cursor: next === null ? null : this.cursors.encode(next, scope), total };
  }

  async create(ctx: RequestContext, input: CreateUserInput) {
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
      await this.events.emit(trx, ctx, "user.created", wireUser(toUser(row)));
      return wireUser(toUser(row));
    }).catch((error: unknown) => this.#emailTaken(error));
  }

  async update(ctx: RequestContext, userId: string, input: UpdateUserInput) {
    checkId(userId, "usr", "user_id");
    // Validate everything before touching the database.
    const email = input.email === undefined ? undefined : normalizeEmail(input.email);
    const firstName = input.first_name === undefined ? undefined : checkName(input.first_name, "first_name");
    const lastName = input.last_name === undefined ? undefined : checkName(input.last_name, "last_name");
    const phone = input.phone_number === undefined ? undefined : checkPhoneNumber(input.phone_number);
    const avatar = input.avatar_url === undefined ? undefined : checkAvatarUrl(input.avatar_url);
    const username = input.username === undefined ? undefined : checkUsername(input.username);
    if (input.metadata !== undefined) {
      checkMetadataDepth(input.metadata);
      serializeMetadata(input.metadata);
    }
    if (input.revoke_sessions !== undefined && input.password === undefined) {
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
      if (input.email_verified !== undefined) changes.email_verified = input.email_verified ? 1 : 0;
      if (input.metadata !== undefined) changes.metadata = serializeMetadata(mergePatch(JSON.parse(current.metadata), input.metadata));
      if (input.disabled !== undefined) changes.disabled = input.disabled ? 1 : 0;
      if (passwordHash !== undefined) changes.password_hash = passwordHash;
      await this.users.update(trx, ctx.tenantId, current.id, changes);
      if (input.disabled === true && current.disabled === 0) {
        await this.sessions.revokeAllForUser(trx, ctx.tenantId, current.id, now);
      }
      const fields = Object.keys(input).sort();
      await this.audit.record(trx, ctx, "user.updated", current.id, { fields });
      await this.events.userUpdated(trx, ctx, current, { ...current, ...changes }, fields, now);
      if (passwordHash !== undefined) {
        const revoked = input.revoke_sessions === false ? 0 : await this.sessions.revokeAllForUser(trx, ctx.tenantId, current.id, now);
        await this.audit.record(trx, ctx, "user.password_set", current.id, { revoked_sessions: revoked });
        if (revoked > 0) await this.events.sessionsRevoked(trx, ctx, current.id, now);
      }
      return wireUser(toUser({ ...current, ...changes }));
    }).catch((error: unknown) => this.#emailTaken(error));
  }

  /** Blocks sign-in and, in the same transaction, revokes every session and refresh token. */
  disable(ctx: RequestContext, userId: string) {
    return this.#setDisabled(ctx, userId, true);
  }

  /** Allows sign-in again; sessions revoked by `disable` stay revoked. */
  enable(ctx: RequestContext, userId: string) {
    return this.#setDisabled(ctx, userId, false);
  }

  async #setDisabled(ctx: RequestContext, userId: string, disabled: boolean) {
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
      await this.events.userStatusChanged(trx, ctx, { ...current, ...changes }, now);
      return wireUser(toUser({ ...current, ...changes }));
    });
  }

  /**
   * Deletes the user and every row about them; one `user.deleted` event (ID,
   * time, actor) remains. Deleting an already deleted user answers the same,
   * so a retried delete is safe without a stored response.
   */
  async delete(ctx: RequestContext, userId: string) {
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
      await this.events.emit(trx, ctx, "user.deleted", { id: userId, deleted: true });
      return { id: userId, deleted: true as const };
    });
  }

  async impersonate(ctx: RequestContext, userId: string, input: { reason: string; expires_in?: number; organization_id?: string }) {
    const reason = input.reason.trim();
    if (reason === "" || reason.length > ImpersonationReason.maxLength) {
      throw invalid("reason", "invalid_reason", `"reason" is required: 1 to ${ImpersonationReason.maxLength} characters saying why you impersonate`);
    }
    const seconds = input.expires_in ?? DEFAULT_IMPERSONATION_SECONDS;
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
      const organization = input.organization_id === undefined ? undefined : await this.organizationContext.select(trx, ctx.tenantId, current.id, input.organization_id);
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
      return { access_token: token, expires_at: iso(expiresAt), session_id: sessionId };
    });
  }

  /** The user's sessions, newest first, with their status; audited, since they reveal IPs and devices. */
  async listSessions(ctx: RequestContext, userId: string, input: { limit?: number; cursor?: string }) {
    const limit = input.limit ?? 50;
    return this.#transaction(async (trx) => {
      const user = await this.#mustFind(trx, ctx.tenantId, userId);
      const scope = { sessions: user.id };
      const after = input.cursor === undefined ? undefined : this.cursors.decode(input.cursor, scope);
      const rows = await this.sessions.pageForUser(trx, ctx.tenantId, user.id, limit + 1, after);
      const total = await this.sessions.countForUser(trx, ctx.tenantId, user.id);
      await this.audit.record(trx, ctx, "user.sessions_listed", user.id);
      const { items, next } = paginate(rows, limit, (row) => ({ createdAt: row.created_at, id: row.id }));
      const now = Date.now();
      return { data: items.map((row) => wireSession(toSession(row), now)), next_cursor: next === null ? null : this.cursors.encode(next, scope), total };
    });
  }

  /**
   * Revokes one session of the user and its refresh tokens. `checkRevoked`
   * refuses its access tokens at once; without it they last until expiry.
   * Revoking a revoked session answers the same without a second event.
   */
  async revokeSession(ctx: RequestContext, userId: string, sessionId: string) {
    checkId(sessionId, "ses", "session_id");
    const now = Date.now();
    return this.#mutation(ctx, async (trx) => {
      const user = await this.#mustFind(trx, ctx.tenantId, userId, true);
      const session = await this.sessions.find(trx, ctx.tenantId, sessionId);
      if (session === undefined || session.user_id !== user.id) throw notFound("session");
      if (session.revoked_at !== null) return wireSession(toSession(session), now);
      await this.sessions.revoke(trx, ctx.tenantId, session.id, now);
      await this.audit.record(trx, ctx, "session.revoked", user.id, { session_id: session.id });
      await this.events.sessionsRevoked(trx, ctx, user.id, now, session.id);
      return wireSession(toSession({ ...session, revoked_at: now }), now);
    });
  }

  /**
   * Everything about the user (GDPR), as a document the HTTP edge streams:
   * sessions and audit events are read a page at a time while it is written,
   * so a user with a long history neither blocks other requests nor fills memory.
   */
  async export(ctx: RequestContext, userId: string): Promise<StreamedDocument> {
    const user = await this.#transaction(async (trx) => {
      const current = await this.#mustFind(trx, ctx.tenantId, userId);
      await this.audit.record(trx, ctx, "user.exported", current.id);
      return current;
    });
    const db = this.database.db;
    const now = Date.now();
    const [mfa, oauth, memberships] = await Promise.all([
      this.credentials.mfaFactors(db, ctx.tenantId, user.id),
      this.credentials.oauthConnections(db, ctx.tenantId, user.id),
      this.organizations.membershipsOfUser(db, ctx.tenantId, user.id),
    ]);
    return new StreamedDocument({
      exported_at: iso(Date.now()),
      user: wireUser(toUser(user)),
      sessions: keysetPages(
        (after, limit) => this.sessions.pageForUser(db, ctx.tenantId, user.id, limit, after),
        (row) => wireSession(toSession(row), now),
      ),
      mfa_factors: mfa.map((row) => wireMfaFactor(toMfaFactor(row))),
      oauth_connections: oauth.map((row) => wireOAuthConnection(toOAuthConnection(row))),
      memberships: memberships.map((row) => wireUserMembership(toUserMembership(row))),
      audit_events: keysetPages(
        [
          (after, limit) => this.auditStore.pageAboutUser(db, ctx.tenantId, user.id, limit, after),
          (after, limit) => this.auditStore.pageByUser(db, ctx.tenantId, user.id, limit, after),
        ],
        (row) => wireAuditEvent(toAuditEvent(row)),
      ),
    });
  }
}
