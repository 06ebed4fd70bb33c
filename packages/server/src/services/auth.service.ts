import { newId } from "../crypto/ids.js";
import type { PasswordHasher } from "../crypto/passwords.js";
import { randomSecret, sha256 } from "../crypto/secrets.js";
import { ApiError, notFound } from "../domain/api-error.js";
import { checkId, normalizeEmail } from "../domain/validation.js";
import type { SignInThrottle } from "../limits/sign-in-throttle.js";
import type { Database } from "../store/database.js";
import type { Executor } from "../store/schema.js";
import { toSession, type SessionsStore } from "../store/sessions.store.js";
import { toUser, type UsersStore } from "../store/users.store.js";
import { sessionStatus, type Session, type SessionTokens, type SignedIn, type SignedOut } from "../domain/models.js";
import type { AuditLog } from "./audit-log.js";
import type { EventsService } from "./events.service.js";
import type { OrganizationContext, TokenOrganization } from "./organization-context.js";
import type { RequestContext } from "./context.js";
import type { TenantsService } from "./tenants.service.js";
import { ACCESS_TOKEN_TTL_SECONDS, type TokenIssuer } from "./token-issuer.js";

const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;
/** Failed sign-ins are audited as one counted row per account and window of this length. */
const FAILED_SIGN_IN_WINDOW_MS = 15 * 60 * 1000;

const invalidCredentials = (): ApiError => new ApiError(401, "invalid_credentials", "Email or password is incorrect");
const invalidRefresh = (code = "invalid_refresh_token"): ApiError => new ApiError(401, code, "The refresh token is invalid, expired or revoked", "refresh_token");

/** Who an access token is for, as a sign-in or refresh asks: its `aud` and `azp` claims. */
interface TokenParties {
  audience?: string;
  authorizedParty?: string;
}

/** A sign-in with email and password, optionally into an organization (the token then carries it). */
export interface SignInInput extends TokenParties {
  email: string;
  password: string;
  organizationId?: string;
}

/** A refresh: the single-use refresh token, optionally switching the session's organization. */
export interface RefreshInput extends TokenParties {
  refreshToken: string;
  organizationId?: string;
}

/** What {@link AuthService} needs: its stores, tenants, hashing, tokens, the sign-in throttle and events. */
export interface AuthServiceDeps {
  database: Database;
  users: UsersStore;
  sessions: SessionsStore;
  tenants: TenantsService;
  audit: AuditLog;
  hasher: PasswordHasher;
  tokens: TokenIssuer;
  throttle: SignInThrottle;
  events: EventsService;
  organizations: OrganizationContext;
}

/** End-user sign-in, refresh and sign-out, and the session status check behind `checkRevoked`. */
export class AuthService {
  private readonly database: Database;
  private readonly users: UsersStore;
  private readonly sessions: SessionsStore;
  private readonly tenants: TenantsService;
  private readonly audit: AuditLog;
  private readonly hasher: PasswordHasher;
  private readonly tokens: TokenIssuer;
  private readonly throttle: SignInThrottle;
  private readonly events: EventsService;
  private readonly organizations: OrganizationContext;

  constructor(deps: AuthServiceDeps) {
    this.database = deps.database;
    this.users = deps.users;
    this.sessions = deps.sessions;
    this.tenants = deps.tenants;
    this.audit = deps.audit;
    this.hasher = deps.hasher;
    this.tokens = deps.tokens;
    this.throttle = deps.throttle;
    this.events = deps.events;
    this.organizations = deps.organizations;
  }

  /** Stores a new single-use refresh token for the session, inside the caller's transaction; returns it in the clear. */
  async #insertRefreshToken(trx: Executor, tenantId: string, userId: string, sessionId: string, now: number): Promise<string> {
    const refreshToken = `rt_${randomSecret()}`;
    await this.sessions.insertRefreshToken(trx, {
      id: newId("rtk"),
      tenant_id: tenantId,
      session_id: sessionId,
      user_id: userId,
      token_hash: sha256(refreshToken),
      created_at: now,
      expires_at: now + REFRESH_TOKEN_TTL_MS,
      used_at: null,
      revoked_at: null,
    });
    return refreshToken;
  }

  /** Signs the access token once the session and its refresh token have committed. */
  async #tokens(
    ctx: RequestContext,
    userId: string,
    sessionId: string,
    refreshToken: string,
    parties: TokenParties,
    organization: TokenOrganization | undefined,
  ): Promise<SessionTokens> {
    const access = await this.tokens.issue({
      tenantId: ctx.tenantId,
      userId,
      sessionId,
      expiresInSeconds: ACCESS_TOKEN_TTL_SECONDS,
      audience: parties.audience,
      authorizedParty: parties.authorizedParty,
      organization,
    });
    return { accessToken: access.token, expiresAt: access.expiresAt, refreshToken, sessionId };
  }

  /**
   * Audits a failed sign-in. The user is re-read under its row lock, so a
   * failure that races a delete never writes a row about the deleted user.
   */
  async #signInFailed(ctx: RequestContext, userId: string | null, email: string, reason: string): Promise<void> {
    await this.database.db.transaction().execute(async (trx) => {
      const subject = userId === null ? undefined : await this.users.find(trx, ctx.tenantId, userId, true);
      const why = subject === undefined && userId !== null ? "unknown_email" : reason;
      // Counted on one row per account, reason and window: a flood of guesses writes a handful of rows.
      const account = `${subject?.id ?? `email:${sha256(email)}`}:${why}`;
      await this.audit.recordCounted(trx, ctx, "user.sign_in_failed", subject?.id ?? null, account, FAILED_SIGN_IN_WINDOW_MS, { reason: why });
    });
  }

  async signIn(ctx: RequestContext, input: SignInInput): Promise<SignedIn> {
    // Before anything is looked up or hashed: a throttled attempt costs no Argon2 and says nothing about the account.
    const attempt = await this.throttle.begin(ctx.tenantId, input.email, ctx.ip);
    await this.tenants.getTenant(ctx.tenantId);
    const email = normalizeEmail(input.email).toLowerCase();
    const user = await this.users.findByEmail(this.database.db, ctx.tenantId, email);
    const ok = user?.password_hash == null ? await this.hasher.verifyAgainstDummy(input.password) : await this.hasher.verify(user.password_hash, input.password);
    if (user === undefined || !ok) {
      await this.#signInFailed(ctx, user?.id ?? null, email, user === undefined ? "unknown_email" : "wrong_password");
      throw invalidCredentials();
    }
    if (user.disabled === 1) {
      await this.#signInFailed(ctx, user.id, email, "user_disabled");
      throw new ApiError(403, "user_disabled", "This user is disabled and cannot sign in");
    }
    await this.throttle.succeeded(attempt);
    // An imported (bcrypt, Firebase scrypt…) or older-cost hash becomes this server's Argon2id on success.
    const rehashed = user.password_hash !== null && this.hasher.needsRehash(user.password_hash) ? await this.hasher.hash(input.password) : undefined;
    const organization = input.organizationId === undefined ? undefined : await this.organizations.select(this.database.db, ctx.tenantId, user.id, input.organizationId);
    const now = Date.now();
    const sessionId = newId("ses");
    const userCtx: RequestContext = { ...ctx, actor: { type: "user", id: user.id } };
    // The hash check above took tens of milliseconds. The session is created only in a
    // transaction that, holding the user's row lock (the lock disable and delete take),
    // still sees the user present, enabled and with the password that was checked.
    const outcome = await this.database.db.transaction().execute(async (trx) => {
      const current = await this.users.find(trx, ctx.tenantId, user.id, true);
      if (current === undefined || current.password_hash !== user.password_hash) return { refused: "gone" as const };
      if (current.disabled === 1) return { refused: "disabled" as const };
      await this.sessions.insert(trx, {
        id: sessionId,
        tenant_id: ctx.tenantId,
        user_id: current.id,
        created_at: now,
        expires_at: now + REFRESH_TOKEN_TTL_MS,
        revoked_at: null,
        last_used_at: now,
        ip_address: ctx.ip,
        user_agent: ctx.userAgent,
        impersonator_id: null,
        impersonation_reason: null,
        organization_id: organization?.id ?? null,
      });
      const refreshToken = await this.#insertRefreshToken(trx, ctx.tenantId, current.id, sessionId, now);
      await this.users.update(trx, ctx.tenantId, current.id, rehashed === undefined ? { last_sign_in_at: now } : { last_sign_in_at: now, password_hash: rehashed });
      await this.audit.record(trx, userCtx, "user.signed_in", current.id, { session_id: sessionId });
      await this.events.sessionCreated(trx, userCtx, sessionId);
      return { user: { ...current, last_sign_in_at: now }, refreshToken };
    });
    if ("refused" in outcome) {
      if (outcome.refused === "disabled") throw new ApiError(403, "user_disabled", "This user is disabled and cannot sign in");
      throw invalidCredentials();
    }
    const tokens = await this.#tokens(ctx, user.id, sessionId, outcome.refreshToken, input, organization);
    return { ...tokens, user: toUser(outcome.user) };
  }

  async refresh(ctx: RequestContext, input: RefreshInput): Promise<SessionTokens> {
    const hash = sha256(input.refreshToken);
    const found = await this.sessions.findRefreshToken(this.database.db, ctx.tenantId, hash);
    if (found === undefined) throw invalidRefresh();
    // Checked before the refresh token is spent: a refused switch leaves the session usable.
    const switchTo = input.organizationId === undefined ? undefined : await this.organizations.select(this.database.db, ctx.tenantId, found.user_id, input.organizationId);
    // Everything below happens under the user's row lock, the lock disable and delete
    // take first too, so a refresh either finishes before them or sees their result.
    const outcome = await this.database.db.transaction().execute(async (trx) => {
      const user = await this.users.find(trx, ctx.tenantId, found.user_id, true);
      const row = await this.sessions.findRefreshToken(trx, ctx.tenantId, hash);
      const now = Date.now();
      if (user === undefined || row === undefined || row.revoked_at !== null || row.expires_at <= now) return { refused: "invalid" as const };
      if (row.used_at !== null || !(await this.sessions.consumeRefreshToken(trx, row.id, now))) {
        // A refresh token is single-use: seeing it twice means it leaked, so the whole session goes.
        await this.sessions.revoke(trx, ctx.tenantId, row.session_id, now);
        await this.audit.record(trx, ctx, "session.refresh_token_reused", row.user_id, { session_id: row.session_id });
        await this.events.sessionsRevoked(trx, ctx, row.user_id, now, row.session_id);
        return { refused: "reused" as const };
      }
      const session = await this.sessions.find(trx, ctx.tenantId, row.session_id);
      if (session === undefined || sessionStatus(toSession(session), now) !== "active" || user.disabled === 1) return { refused: "invalid" as const };
      await this.sessions.touch(trx, session.id, now);
      if (switchTo !== undefined && switchTo.id !== session.organization_id) await this.sessions.setOrganization(trx, session.id, switchTo.id);
      // The role is read again at every refresh: a membership change shows in the next token.
      const organization = switchTo ?? (await this.organizations.current(trx, ctx.tenantId, user.id, session.organization_id));
      const refreshToken = await this.#insertRefreshToken(trx, ctx.tenantId, user.id, session.id, now);
      return { userId: user.id, sessionId: session.id, refreshToken, organization };
    });
    if ("refused" in outcome) throw invalidRefresh(outcome.refused === "reused" ? "refresh_token_reused" : undefined);
    return this.#tokens(ctx, outcome.userId, outcome.sessionId, outcome.refreshToken, input, outcome.organization);
  }

  async signOut(ctx: RequestContext, input: { refreshToken: string }): Promise<SignedOut> {
    const row = await this.sessions.findRefreshToken(this.database.db, ctx.tenantId, sha256(input.refreshToken));
    if (row === undefined) throw invalidRefresh();
    const now = Date.now();
    await this.database.db.transaction().execute(async (trx) => {
      await this.sessions.revoke(trx, ctx.tenantId, row.session_id, now);
      await this.audit.record(trx, { ...ctx, actor: { type: "user", id: row.user_id } }, "user.signed_out", row.user_id, { session_id: row.session_id });
      await this.events.sessionsRevoked(trx, ctx, row.user_id, now, row.session_id);
    });
    return { sessionId: row.session_id, revoked: true };
  }

  /** A session, for the status check behind `checkRevoked`. */
  async session(ctx: RequestContext, sessionId: string): Promise<Session> {
    const session = await this.sessions.find(this.database.db, ctx.tenantId, checkId(sessionId, "ses", "session_id"));
    if (session === undefined) throw notFound("session");
    return toSession(session);
  }
}
