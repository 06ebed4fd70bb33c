import type { HttpClient } from "../../core/http-client.js";
import { PagePromise } from "../../core/page-promise.js";
import { deserializeDeleted } from "../../core/wire.js";
import { pathId, requireNonEmpty } from "../../core/path.js";
import type { RequestOptions } from "../../core/request-options.js";
import {
  deserializeImpersonation,
  deserializeSession,
  deserializeSessionsPage,
  deserializeUser,
  deserializeUserExport,
  deserializeUsersPage,
  serializeCreateUser,
  serializeImpersonate,
  serializeListUsersQuery,
  serializeUpdateUser,
} from "./user.serializer.js";
import type { ImportUsersParams, ImportUsersResult } from "./users-import.interface.js";
import { deserializeImportResult, serializeImportUsers } from "./users-import.serializer.js";
import type {
  CreateUserParams,
  DeletedUser,
  ImpersonateParams,
  ImpersonationResult,
  ListUserSessionsParams,
  ListUsersParams,
  UpdateUserParams,
  User,
  UserExport,
  UserSession,
  UserSessionsPage,
  UsersPage,
} from "./users.interface.js";

/** `hj.users`: manage your tenant's users. */
export class Users {
  readonly #http: HttpClient;

  /** @internal */
  constructor(http: HttpClient) {
    this.#http = http;
  }

  /**
   * Fetches a user by ID.
   * @throws {NotFoundError} `user_not_found` for an unknown ID; {@link ValidationError} `invalid_id` for a malformed one.
   * @example
   * ```ts
   * const user = await hj.users.get("usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3");
   * ```
   */
  async get(userId: string, options?: RequestOptions): Promise<User> {
    return this.#http.request({ method: "GET", path: `/v1/users/${pathId(userId, "userId")}` }, options, deserializeUser);
  }

  /**
   * Fetches a user by email, case-insensitively.
   * @example
   * ```ts
   * const user = await hj.users.getByEmail("Jane@Example.com");
   * ```
   */
  async getByEmail(email: string, options?: RequestOptions): Promise<User> {
    return this.#http.request({ method: "GET", path: "/v1/users/by-email", query: { email: requireNonEmpty(email, "email") } }, options, deserializeUser);
  }

  /**
   * Lists users, newest first. Await it for one page, or iterate it for every match.
   * @example
   * ```ts
   * const { users, nextCursor, total } = await hj.users.list({ limit: 50 });
   * for await (const user of hj.users.list({ status: "active", search: "@example.com" })) {
   *   console.log(user.email);
   * }
   * ```
   */
  list(params: ListUsersParams = {}, options?: RequestOptions): PagePromise<UsersPage, User> {
    const fetchPage = (cursor: string | undefined): Promise<UsersPage> => {
      const query = serializeListUsersQuery(params, cursor);
      return this.#http.request({ method: "GET", path: "/v1/users", query }, options, deserializeUsersPage);
    };
    return new PagePromise(fetchPage, (page) => page.users, params.cursor);
  }

  /**
   * Creates a user. Retried safely: a repeated request never creates two users.
   * @throws {ConflictError} `email_taken` when the email is already in use.
   * @example
   * ```ts
   * const user = await hj.users.create({ email: "jane@example.com", password: "TemporaryPass123!", emailVerified: true });
   * ```
   */
  async create(params: CreateUserParams, options?: RequestOptions): Promise<User> {
    return this.#http.request({ method: "POST", path: "/v1/users", body: serializeCreateUser(params) }, options, deserializeUser);
  }

  /**
   * Imports a batch of up to 1,000 users in one transaction, with plaintext
   * passwords or hashes from another provider (bcrypt, Argon2, Firebase scrypt),
   * which users keep: each is upgraded to Argon2id at their first sign-in. Each
   * user gets a result: `created`, `skipped` (the email or ID exists already) or
   * `refused` (with the reason and `param`). Retried safely under one idempotency
   * key, and a batch sent again skips the users it created.
   * @example
   * ```ts
   * const { created, results } = await hj.users.import({
   *   users: [{ email: "jane@example.com", passwordHash: "$2b$10$…", emailVerified: true }],
   * });
   * for (const r of results) if (r.status === "refused") console.warn(r.index, r.error?.param, r.error?.message);
   * ```
   */
  async import(params: ImportUsersParams, options?: RequestOptions): Promise<ImportUsersResult> {
    return this.#http.request({ method: "POST", path: "/v1/users/import", body: serializeImportUsers(params) }, options, deserializeImportResult);
  }

  /**
   * Updates the given fields. `metadata` is merged (RFC 7396): `null` removes a key.
   * `password` sets a new password and revokes every session and refresh token
   * of the user (pass `revokeSessions: false` to keep them).
   * @example
   * ```ts
   * await hj.users.update(userId, { lastName: "Smith", metadata: { plan: "enterprise", trial: null } });
   * await hj.users.update(userId, { password: "N3w-Passw0rd!" }); // signs the user out everywhere
   * ```
   */
  async update(userId: string, params: UpdateUserParams, options?: RequestOptions): Promise<User> {
    return this.#http.request({ method: "PATCH", path: `/v1/users/${pathId(userId, "userId")}`, body: serializeUpdateUser(params) }, options, deserializeUser);
  }

  /**
   * Blocks sign-in and revokes every session and refresh token of the user, atomically.
   * Access tokens already issued fail `verifyToken(…, { checkRevoked: true })` at once,
   * and without that check stop working at their expiry (15 minutes at most).
   * @example
   * ```ts
   * await hj.users.disable(userId);
   * ```
   */
  async disable(userId: string, options?: RequestOptions): Promise<User> {
    return this.#http.request({ method: "POST", path: `/v1/users/${pathId(userId, "userId")}/disable` }, options, deserializeUser);
  }

  /**
   * Lets a disabled user sign in again. Sessions revoked by `disable` stay revoked.
   * @example
   * ```ts
   * await hj.users.enable(userId);
   * ```
   */
  async enable(userId: string, options?: RequestOptions): Promise<User> {
    return this.#http.request({ method: "POST", path: `/v1/users/${pathId(userId, "userId")}/enable` }, options, deserializeUser);
  }

  /**
   * Permanently deletes the user and everything tied to them. Only an anonymous
   * `user.deleted` audit event remains.
   * @example
   * ```ts
   * await hj.users.delete(userId);
   * ```
   */
  async delete(userId: string, options?: RequestOptions): Promise<DeletedUser> {
    return this.#http.request({ method: "DELETE", path: `/v1/users/${pathId(userId, "userId")}` }, options, deserializeDeleted);
  }

  /**
   * Creates an audited session acting as the user, for support. The token carries
   * an RFC 8693 `act` claim naming your API key, and the reason.
   * @example
   * ```ts
   * const { accessToken, expiresAt } = await hj.users.impersonate(userId, { reason: "Ticket #4521", expiresIn: "15m" });
   * ```
   */
  async impersonate(userId: string, params: ImpersonateParams, options?: RequestOptions): Promise<ImpersonationResult> {
    const body = serializeImpersonate(params);
    return this.#http.request({ method: "POST", path: `/v1/users/${pathId(userId, "userId")}/impersonate`, body }, options, deserializeImpersonation);
  }

  /**
   * The user's sessions, newest first, each with its `status`. Await it for one
   * page, or iterate it for every session. Audited (`user.sessions_listed`).
   * @example
   * ```ts
   * const { sessions, total } = await hj.users.listSessions(userId);
   * for await (const session of hj.users.listSessions(userId)) {
   *   if (session.status === "active") console.log(session.ipAddress, session.userAgent);
   * }
   * ```
   */
  listSessions(userId: string, params: ListUserSessionsParams = {}, options?: RequestOptions): PagePromise<UserSessionsPage, UserSession> {
    const path = `/v1/users/${pathId(userId, "userId")}/sessions`;
    const fetchPage = (cursor: string | undefined): Promise<UserSessionsPage> =>
      this.#http.request({ method: "GET", path, query: { limit: params.limit, cursor } }, options, deserializeSessionsPage);
    return new PagePromise(fetchPage, (page) => page.sessions, params.cursor);
  }

  /**
   * Revokes one of the user's sessions and its refresh tokens (audited as
   * `session.revoked`). Its access tokens fail `verifyToken(…, { checkRevoked: true })`
   * at once, and without that check stop working at their expiry (15 minutes at most).
   * Revoking a revoked session returns it unchanged.
   * @throws {NotFoundError} `session_not_found` when the session is not this user's.
   * @example
   * ```ts
   * await hj.users.revokeSession(userId, "ses_01J9Z3K4M5N6P7Q8R9S0T1V2W3");
   * ```
   */
  async revokeSession(userId: string, sessionId: string, options?: RequestOptions): Promise<UserSession> {
    const path = `/v1/users/${pathId(userId, "userId")}/sessions/${pathId(sessionId, "sessionId")}/revoke`;
    return this.#http.request({ method: "POST", path }, options, deserializeSession);
  }

  /**
   * Everything HelloJohn holds about the user, as one document (GDPR). Audited.
   * @example
   * ```ts
   * const data = await hj.users.export(userId);
   * await writeFile(`${userId}.json`, JSON.stringify(data, null, 2));
   * ```
   */
  async export(userId: string, options?: RequestOptions): Promise<UserExport> {
    return this.#http.request({ method: "GET", path: `/v1/users/${pathId(userId, "userId")}/export` }, options, deserializeUserExport);
  }
}
