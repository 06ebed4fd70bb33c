import { newId } from "../crypto/ids.js";
import { randomSecret, sha256 } from "../crypto/secrets.js";
import { ApiError, invalid, notFound } from "../domain/api-error.js";
import { checkId } from "../domain/validation.js";
import type { AuditEvent, Session, User, UserMembership } from "../domain/models.js";
import type { AuditLog } from "../services/audit-log.js";
import { mutation, type RequestContext } from "../services/context.js";
import type { TenantsService } from "../services/tenants.service.js";
import type { UsersService } from "../services/users.service.js";
import { toAuditEvent, type AuditStore } from "../store/audit.store.js";
import type { Database } from "../store/database.js";
import { toUserMembership, type OrganizationsStore } from "../store/organizations.store.js";
import { toSession, type SessionsStore } from "../store/sessions.store.js";
import { ConsoleStore, type ConsoleSessionRow } from "./console.store.js";

/** How long console links and sessions live. */
export interface ConsoleTimings {
  /** A login link works once, within this many ms of being printed. Default 10 minutes. */
  loginLinkTtlMs: number;
  /** A console session with no request for this long is refused. Default 30 minutes. */
  idleTimeoutMs: number;
  /** A console session ends this long after sign-in however active. Default 12 hours. */
  maxAgeMs: number;
}

export const CONSOLE_TIMING_DEFAULTS: ConsoleTimings = { loginLinkTtlMs: 10 * 60_000, idleTimeoutMs: 30 * 60_000, maxAgeMs: 12 * 3600_000 };

/** Operator names: what the audit log shows as the actor of console actions. */
const OPERATOR = /^[A-Za-z0-9._@+-]{1,100}$/;

/** The console's user page: the profile, latest sessions, memberships and latest audit events about the user. */
export interface UserDetail {
  user: User;
  sessions: Session[];
  memberships: UserMembership[];
  auditEvents: AuditEvent[];
}

/** A signed-in console session, as the routes see it. */
export interface ConsoleCaller {
  sessionId: string;
  tenantId: string;
  operator: string;
  /** The CSRF token every state-changing console request must echo in `X-CSRF-Token`. */
  csrfToken: string;
}

/** The CSRF token of a session: derived from the secret cookie, so it needs no storage and reveals nothing about the cookie. */
export const csrfTokenFor = (sessionToken: string): string => sha256(`hellojohn-console-csrf:${sessionToken}`);

/**
 * Creates a one-time login link token for `operator` on `tenantId`, valid for
 * `ttlMs`; only its SHA-256 is stored, so a database dump cannot sign anyone in.
 */
export async function createLoginToken(
  database: Database,
  tenants: TenantsService,
  input: { tenantId: string; operator: string; ttlMs: number },
): Promise<{ token: string; expiresAt: number }> {
  if (!OPERATOR.test(input.operator)) throw invalid("operator", "invalid_operator", '"operator" must be 1 to 100 letters, digits or ._@+-');
  await tenants.getTenant(checkId(input.tenantId, "ten", "tenant_id"));
  if (!Number.isInteger(input.ttlMs) || input.ttlMs < 1000) throw invalid("ttl", "invalid_ttl", "A login link must live at least one second");
  const token = randomSecret();
  const now = Date.now();
  const expiresAt = now + input.ttlMs;
  await new ConsoleStore().insertLink(database.db, {
    id: newId("con"),
    tenant_id: input.tenantId,
    operator: input.operator,
    token_hash: sha256(token),
    created_at: now,
    expires_at: expiresAt,
    used_at: null,
  });
  return { token, expiresAt };
}

/**
 * The console's rules: one-time login links, cookie sessions that expire
 * after inactivity, and the reads of the user page that the public API does
 * not offer one by one (sessions, memberships, audit timeline).
 */
export class ConsoleService {
  constructor(
    private readonly database: Database,
    private readonly store: ConsoleStore,
    private readonly users: UsersService,
    private readonly sessions: SessionsStore,
    private readonly organizations: OrganizationsStore,
    private readonly auditStore: AuditStore,
    private readonly audit: AuditLog,
    private readonly timings: ConsoleTimings,
  ) {}

  /** Trades a login link's token (once) for a new session; the session token goes into the cookie. */
  async signIn(token: string, ip: string | null, userAgent: string | null): Promise<{ sessionToken: string; caller: ConsoleCaller }> {
    const now = Date.now();
    if (!/^[A-Za-z0-9_-]{20,100}$/.test(token)) throw invalid("token", "invalid_login_link", "This login link is malformed");
    const sessionToken = randomSecret();
    const row: ConsoleSessionRow = {
      id: newId("con"),
      tenant_id: "",
      operator: "",
      token_hash: sha256(sessionToken),
      created_at: now,
      last_seen_at: now,
      expires_at: now + this.timings.maxAgeMs,
      revoked_at: null,
    };
    await this.database.db.transaction().execute(async (trx) => {
      const link = await this.store.consumeLink(trx, sha256(token), now);
      if (link === undefined)
        throw new ApiError(401, "login_link_invalid", "This login link was already used, has expired or does not exist: print a new one with `hellojohn-server console`");
      row.tenant_id = link.tenant_id;
      row.operator = link.operator;
      await this.store.insertSession(trx, row);
      const ctx: RequestContext = { tenantId: link.tenant_id, actor: { type: "operator", id: link.operator }, ip, userAgent };
      await this.audit.record(trx, ctx, "console.signed_in", null, { console_session_id: row.id });
    });
    return { sessionToken, caller: { sessionId: row.id, tenantId: row.tenant_id, operator: row.operator, csrfToken: csrfTokenFor(sessionToken) } };
  }

  /** The session of a cookie, refused when unknown, signed out, idle too long or too old; a live one is kept alive. */
  async authenticate(sessionToken: string | undefined): Promise<ConsoleCaller> {
    if (sessionToken === undefined || !/^[A-Za-z0-9_-]{20,100}$/.test(sessionToken)) {
      throw new ApiError(401, "console_session_required", "Sign in to the console with a login link from `hellojohn-server console`");
    }
    const now = Date.now();
    const row = await this.store.findSession(this.database.db, sha256(sessionToken));
    if (row === undefined || row.revoked_at !== null)
      throw new ApiError(401, "console_session_required", "Sign in to the console with a login link from `hellojohn-server console`");
    if (now - row.last_seen_at > this.timings.idleTimeoutMs || now >= row.expires_at) {
      throw new ApiError(401, "console_session_expired", "The console session expired: print a new login link with `hellojohn-server console`");
    }
    // Activity is recorded at a tenth of the idle window's precision (at most once a minute), not on every request.
    if (now - row.last_seen_at > Math.min(60_000, this.timings.idleTimeoutMs / 10)) await this.store.touchSession(this.database.db, row.id, now);
    return { sessionId: row.id, tenantId: row.tenant_id, operator: row.operator, csrfToken: csrfTokenFor(sessionToken) };
  }

  async signOut(caller: ConsoleCaller): Promise<void> {
    await this.store.revokeSession(this.database.db, caller.sessionId, Date.now());
  }

  /** The user page: profile, latest sessions, memberships and latest audit events about the user. */
  async userDetail(ctx: RequestContext, userId: string): Promise<UserDetail> {
    const user = await this.users.get(ctx, userId);
    const db = this.database.db;
    const [sessions, memberships, about, by] = await Promise.all([
      this.sessions.pageForUser(db, ctx.tenantId, user.id, 50, undefined),
      this.organizations.membershipsOfUser(db, ctx.tenantId, user.id),
      this.auditStore.pageAboutUser(db, ctx.tenantId, user.id, 50, undefined),
      this.auditStore.pageByUser(db, ctx.tenantId, user.id, 50, undefined),
    ]);
    const seen = new Set<string>();
    const events = [...about, ...by]
      .filter((e) => (seen.has(e.id) ? false : (seen.add(e.id), true)))
      .sort((a, b) => b.created_at - a.created_at || (a.id < b.id ? 1 : -1))
      .slice(0, 50);
    return { user, sessions: sessions.map(toSession), memberships: memberships.map(toUserMembership), auditEvents: events.map(toAuditEvent) };
  }

  /** Revokes one session of the user (and its refresh tokens), audited. */
  async revokeSession(ctx: RequestContext, userId: string, sessionId: string): Promise<Session> {
    checkId(userId, "usr", "user_id");
    checkId(sessionId, "ses", "session_id");
    return mutation(this.database.db, ctx, async (trx) => {
      const session = await this.sessions.find(trx, ctx.tenantId, sessionId);
      if (session === undefined || session.user_id !== userId) throw notFound("session");
      await this.sessions.revoke(trx, ctx.tenantId, sessionId, Date.now());
      await this.audit.record(trx, ctx, "session.revoked", userId, { session_id: sessionId });
      const after = await this.sessions.find(trx, ctx.tenantId, sessionId);
      return toSession(after ?? session);
    });
  }
}
