import { newId } from "../crypto/ids.js";
import { inspectImportedHash } from "../crypto/imported-hashes.js";
import type { PasswordHasher } from "../crypto/passwords.js";
import { ApiError, invalid } from "../domain/api-error.js";
import { checkId, checkPassword } from "../domain/validation.js";
import type { User, UserMembership } from "../domain/models.js";
import type { Database } from "../store/database.js";
import type { UserTransferStore } from "../store/user-transfer.store.js";
import { toUserMembership } from "../store/organizations.store.js";
import { toUser, type UserRow, type UsersStore } from "../store/users.store.js";
import type { AuditLog } from "./audit-log.js";
import { mutation, type MutationContext, type RequestContext } from "./context.js";
import { newProfile, type NewProfile } from "./user-profile.js";

/** Most users in one import request. */
export const MAX_IMPORT_BATCH = 1000;
/** Plaintext passwords of a batch hashed at once (Argon2 runs on libuv's pool, 4 threads by default). */
const HASH_CONCURRENCY = 4;

/** One user to import: a new user's profile, with its ID, password or hash, status and creation time kept. */
export interface ImportUser extends NewProfile {
  /** Keep this ID (`usr_…`), e.g. when moving between HelloJohn servers; a new one otherwise. */
  id?: string;
  /** A plaintext password, hashed with Argon2id. Give this or `passwordHash`, not both. */
  password?: string;
  /** A bcrypt, Argon2 or Firebase scrypt hash, stored as is and upgraded at the first sign-in. */
  passwordHash?: string;
  disabled?: boolean;
  /** When the user was created at the provider, as given (ISO 8601; checked per row); default now. */
  createdAt?: string;
}

/** What happened to one row of an import batch. */
export interface ImportRowResult {
  index: number;
  status: "created" | "skipped" | "refused";
  id: string | null;
  email: string | null;
  error: { code: string; message: string; param: string | null } | null;
}

/** The per-row results of one import batch. */
export interface ImportResult {
  created: number;
  skipped: number;
  refused: number;
  results: ImportRowResult[];
}

/** One user of an export: the user, their memberships, and their password hash when the export asked for hashes. */
export interface ExportedUserRecord {
  user: User;
  memberships: UserMembership[];
  /** Present only when asked for (`null`: the user has no password). */
  passwordHash?: string | null;
}

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++] as T);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** What {@link UserTransferService} needs: its stores, the audit log and hashing. */
export interface UserTransferServiceDeps {
  database: Database;
  users: UsersStore;
  store: UserTransferStore;
  audit: AuditLog;
  hasher: PasswordHasher;
}

/**
 * Bulk import and export of users. A batch is validated row by row (a bad row
 * is refused with its reason and `param`, the others go on), then inserted with
 * multi-row INSERTs in one transaction; a user whose email already exists is
 * skipped, so a re-sent or resumed batch never duplicates anyone.
 */
export class UserTransferService {
  private readonly database: Database;
  private readonly users: UsersStore;
  private readonly store: UserTransferStore;
  private readonly audit: AuditLog;
  private readonly hasher: PasswordHasher;

  constructor(deps: UserTransferServiceDeps) {
    this.database = deps.database;
    this.users = deps.users;
    this.store = deps.store;
    this.audit = deps.audit;
    this.hasher = deps.hasher;
  }

  /** Validates one row; throws the ApiError that refuses it. */
  #row(ctx: RequestContext, input: ImportUser, now: number): { row: UserRow; password: string | undefined } {
    const id = input.id === undefined ? newId("usr") : checkId(input.id, "usr", "id");
    const profile = newProfile(input);
    if (input.password !== undefined && input.passwordHash !== undefined) {
      throw invalid("password", "password_and_hash", 'Give "password" or "password_hash", not both');
    }
    const password = input.password === undefined ? undefined : checkPassword(input.password);
    if (input.passwordHash !== undefined) {
      const inspected = inspectImportedHash(input.passwordHash);
      if (!("kind" in inspected)) throw invalid("password_hash", inspected.code, inspected.message);
    }
    let createdAt = now;
    if (input.createdAt !== undefined) {
      createdAt = Date.parse(input.createdAt);
      if (!Number.isFinite(createdAt) || createdAt < 0 || createdAt > now + 86_400_000) {
        throw invalid("created_at", "invalid_created_at", '"created_at" must be an ISO 8601 date-time, not in the future');
      }
    }
    const row: UserRow = {
      id,
      tenant_id: ctx.tenantId,
      ...profile,
      password_hash: input.passwordHash ?? null,
      disabled: input.disabled === true ? 1 : 0,
      created_at: createdAt,
      updated_at: now,
      last_sign_in_at: null,
    };
    return { row, password };
  }

  /**
   * Imports one batch (at most {@link MAX_IMPORT_BATCH} users) in one
   * transaction; with an `Idempotency-Key` the response commits with it.
   */
  async import(ctx: MutationContext<ImportResult>, input: { users: ImportUser[] }): Promise<ImportResult> {
    if (input.users.length > MAX_IMPORT_BATCH) {
      throw invalid("users", "too_many_users", `"users" may hold at most ${MAX_IMPORT_BATCH} users per request`);
    }
    const now = Date.now();
    const results: ImportRowResult[] = [];
    const accepted: { index: number; row: UserRow; password: string | undefined }[] = [];
    input.users.forEach((user, index) => {
      try {
        accepted.push({ index, ...this.#row(ctx, user, now) });
        results.push({ index, status: "created", id: null, email: null, error: null });
      } catch (error) {
        if (!(error instanceof ApiError)) throw error;
        const email = typeof user.email === "string" ? user.email : null;
        results.push({ index, status: "refused", id: null, email, error: { code: error.code, message: error.message, param: error.param ?? null } });
      }
    });
    await eachLimited(accepted, HASH_CONCURRENCY, async (item) => {
      if (item.password !== undefined) item.row.password_hash = await this.hasher.hash(item.password);
    });
    return mutation(this.database.db, ctx, async (trx) => {
      const inserted = await this.store.insertMany(
        trx,
        accepted.map((a) => a.row),
      );
      // A row not inserted is a user that exists (its email or ID), or else one whose username is taken.
      const missed = accepted.filter((a) => !inserted.has(a.row.id));
      const existing = await this.store.existing(
        trx,
        ctx.tenantId,
        missed.map((a) => a.row),
      );
      for (const { index, row } of accepted) {
        const result = results[index] as ImportRowResult;
        result.email = row.email;
        if (inserted.has(row.id)) result.id = row.id;
        else if (existing.has(row.id) || existing.has(row.email_lower) || row.username_lower === null) {
          result.status = "skipped";
          result.error = { code: "user_exists", message: "A user with this email or ID already exists", param: "email" };
        } else {
          result.status = "refused";
          result.error = { code: "username_taken", message: "A user with this username already exists", param: "username" };
        }
      }
      const skipped = results.filter((r) => r.status === "skipped").length;
      const counts = { created: inserted.size, skipped, refused: input.users.length - inserted.size - skipped };
      await this.audit.record(trx, ctx, "users.imported", null, counts);
      return { ...counts, results };
    });
  }

  /** How many users the tenant has. */
  count(tenantId: string): Promise<number> {
    return this.users.count(this.database.db, tenantId, {});
  }

  /**
   * Every user of the tenant with their memberships, newest first, read a page
   * at a time (memory stays flat however many there are). Password hashes only
   * when asked for. The export is audited. With `after` (the `created_at`
   * milliseconds and ID of the last user already exported) it goes on with the
   * users strictly after that one, which is how an interrupted export resumes.
   */
  async *export(
    ctx: RequestContext,
    options: { withPasswordHashes?: boolean; pageSize?: number; after?: { createdAt: number; id: string } } = {},
  ): AsyncGenerator<ExportedUserRecord> {
    const db = this.database.db;
    const pageSize = options.pageSize ?? 1000;
    const details: Record<string, unknown> = { with_password_hashes: options.withPasswordHashes === true };
    if (options.after !== undefined) details.resumed_after = options.after.id;
    await this.audit.record(db, ctx, "users.bulk_exported", null, details);
    let after: { createdAt: number; id: string } | undefined = options.after;
    for (;;) {
      const rows = await this.users.page(db, ctx.tenantId, {}, pageSize - 1, after);
      if (rows.length === 0) return;
      const memberships = await this.store.membershipsOf(
        db,
        ctx.tenantId,
        rows.map((r) => r.id),
      );
      const byUser = new Map<string, UserMembership[]>();
      for (const m of memberships) {
        const list = byUser.get(m.user_id) ?? [];
        list.push(toUserMembership(m));
        byUser.set(m.user_id, list);
      }
      for (const row of rows) {
        const record: ExportedUserRecord = { user: toUser(row), memberships: byUser.get(row.id) ?? [] };
        if (options.withPasswordHashes === true) record.passwordHash = row.password_hash;
        yield record;
      }
      const last = rows[rows.length - 1] as UserRow;
      if (rows.length < pageSize) return;
      after = { createdAt: last.created_at, id: last.id };
    }
  }
}
