import { newId } from "../crypto/ids.js";
import type { PasswordHasher } from "../crypto/passwords.js";
import { randomSecret, sha256 } from "../crypto/secrets.js";
import { ApiError, notFound } from "../domain/api-error.js";
import { checkId, normalizeEmail } from "../domain/validation.js";
import type { Database } from "../store/database.js";
import type { SessionsStore } from "../store/sessions.store.js";
import type { UsersStore } from "../store/users.store.js";
import { iso, sessionStatus, wireUser } from "../contract/wire.js";
import type { AuditLog } from "./audit-log.js";
import type { OrganizationContext, TokenOrganization } from "./organization-context.js";
import type { RequestContext } from "./context.js";
import type { TenantsService } from "./tenants.service.js";
import { ACCESS_TOKEN_TTL_SECONDS, type TokenIssuer } from "./token-issuer.js";

const REFRESH_TOKEN_TTL_MS = 30 * 24 * 3600 * 1000;

const invalidCredentials = (): ApiError => new ApiError(401, "invalid_credentials", "Email or password is incorrect");
const invalidRefresh = (code = "invalid_refresh_token"): ApiError =>
  new ApiError(401, code, "The refresh token is invalid, expired or revoked", "refresh_token");

/** End-user sign-in, refresh and sign-out, and the session status check behind `checkRevoked`. */
export class AuthService {
  constructor(
    private readonly database: Database,
    private readonly users: UsersStore,
    private readonly sessions: SessionsStore,
    private readonly tenants: TenantsService,
    private readonly audit: AuditLog,
    private readonly hasher: PasswordHasher,
    private readonly tokens: TokenIssuer,
    private readonly organizations: OrganizationContext,
  ) {}

  async #issueTokens(ctx: RequestContext, userId: string, sessionId: string, audience: string | undefined, organization?: TokenOrganization) {
    const refreshToken = `rt_${randomSecret()}`;
    const now = Date.now();
    await this.sessions.insertRefreshToken(this.database.db, {
      id: newId("rtk"),
      tenant_id: ctx.tenantId,
      session_id: sessionId,
      user_id: userId,
      token_hash: sha256(refreshToken),
      created_at: now,
      expires_at: now + REFRESH_TOKEN_TTL_MS,
      used_at: null,
      revoked_at: null,
    });
    const access = await this.tokens.issue({
      tenantId: ctx.tenantId,
      userId,
      sessionId,
      expiresInSeconds: ACCESS_TOKEN_TTL_SECONDS,
      audience,
      organization,
    });
    return {
      token_type: "Bearer" as const,
      access_token: access.token,
      expires_at: iso(access.expiresAt),
      refresh_token: refreshToken,
      session_id: sessionId,
    };
  }

  async signIn(ctx: RequestContext, input: { email: string; password: string; audience?: string; organization_id?: string }) {
    await this.tenants.getTenant(ctx.tenantId);
    const email = normalizeEmail(input.email).toLowerCase();
    const user = await this.users.findByEmail(this.database.db, ctx.tenantId, email);
    const ok =
      user?.password_hash == null
        ? await this.hasher.verifyAgainstDummy(input.password)
        : await this.hasher.verify(user.password_hash, input.password);
    const failed = async (reason: string): Promise<void> =>
      this.audit.record(this.database.db, ctx, "user.sign_in_failed", user?.id ?? null, { reason });
    if (user === undefined || !ok) {
      await failed(user === undefined ? "unknown_email" : "wrong_password");
      throw invalidCredentials();
    }
    if (user.disabled === 1) {
      await failed("user_disabled");
      throw new ApiError(403, "user_disabled", "This user is disabled and cannot sign in");
    }
    const organization =
      input.organization_id === undefined ? undefined : await this.organizations.select(this.database.db, ctx.tenantId, user.id, input.organization_id);
    const now = Date.now();
    const sessionId = newId("ses");
    const userCtx: RequestContext = { ...ctx, actor: { type: "user", id: user.id } };
    await this.database.db.transaction().execute(async (trx) => {
      await this.sessions.insert(trx, {
        id: sessionId,
        tenant_id: ctx.tenantId,
        user_id: user.id,
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
      await this.users.update(trx, ctx.tenantId, user.id, { last_sign_in_at: now });
      await this.audit.record(trx, userCtx, "user.signed_in", user.id, { session_id: sessionId });
    });
    const tokens = await this.#issueTokens(ctx, user.id, sessionId, input.audience, organization);
    return { ...tokens, user: wireUser({ ...user, last_sign_in_at: now }) };
  }

  async refresh(ctx: RequestContext, input: { refresh_token: string; audience?: string; organization_id?: string }) {
    const row = await this.sessions.findRefreshToken(this.database.db, ctx.tenantId, sha256(input.refresh_token));
    const now = Date.now();
    if (row === undefined || row.revoked_at !== null || row.expires_at <= now) throw invalidRefresh();
    // Checked before the refresh token is spent: a refused switch leaves the session usable.
    const switchTo =
      input.organization_id === undefined ? undefined : await this.organizations.select(this.database.db, ctx.tenantId, row.user_id, input.organization_id);
    if (row.used_at !== null || !(await this.sessions.consumeRefreshToken(this.database.db, row.id, now))) {
      // A refresh token is single-use: seeing it twice means it leaked, so the whole session goes.
      await this.sessions.revoke(this.database.db, ctx.tenantId, row.session_id, now);
      await this.audit.record(this.database.db, ctx, "session.refresh_token_reused", row.user_id, { session_id: row.session_id });
      throw invalidRefresh("refresh_token_reused");
    }
    const session = await this.sessions.find(this.database.db, ctx.tenantId, row.session_id);
    const user = await this.users.find(this.database.db, ctx.tenantId, row.user_id);
    if (session === undefined || sessionStatus(session, now) !== "active" || user === undefined || user.disabled === 1) {
      throw invalidRefresh();
    }
    await this.sessions.touch(this.database.db, session.id, now);
    if (switchTo !== undefined && switchTo.id !== session.organization_id) {
      await this.sessions.setOrganization(this.database.db, session.id, switchTo.id);
    }
    // The role is read again at every refresh: a membership change shows in the next token.
    const organization = switchTo ?? (await this.organizations.current(this.database.db, ctx.tenantId, user.id, session.organization_id));
    return this.#issueTokens(ctx, user.id, session.id, input.audience, organization);
  }

  async signOut(ctx: RequestContext, input: { refresh_token: string }) {
    const row = await this.sessions.findRefreshToken(this.database.db, ctx.tenantId, sha256(input.refresh_token));
    if (row === undefined) throw invalidRefresh();
    await this.sessions.revoke(this.database.db, ctx.tenantId, row.session_id, Date.now());
    await this.audit.record(this.database.db, { ...ctx, actor: { type: "user", id: row.user_id } }, "user.signed_out", row.user_id, {
      session_id: row.session_id,
    });
    return { session_id: row.session_id, revoked: true as const };
  }

  async sessionStatus(ctx: RequestContext, sessionId: string) {
    const session = await this.sessions.find(this.database.db, ctx.tenantId, checkId(sessionId, "ses", "session_id"));
    if (session === undefined) throw notFound("session");
    return {
      id: session.id,
      user_id: session.user_id,
      status: sessionStatus(session, Date.now()),
      expires_at: iso(session.expires_at),
      revoked_at: session.revoked_at === null ? null : iso(session.revoked_at),
    };
  }
}
