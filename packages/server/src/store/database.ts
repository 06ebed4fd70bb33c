import BetterSqlite3 from "better-sqlite3";
import {
  Kysely,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  sql,
  type ExpressionBuilder,
  type ExpressionWrapper,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
} from "kysely";
import pg from "pg";
import { likeContains } from "./like-pattern.js";
import { migrate } from "./migrations.js";
import type { EventsTable } from "./events.schema.js";
import type { Executor, Schema } from "./schema.js";
import { SqliteCheckpointer } from "./sqlite-checkpointer.js";
import { SqliteReaderLane } from "./sqlite-reader.js";

export type DialectName = "sqlite" | "postgres";

/** The unique indexes that callers tell apart, with the columns SQLite's error message names. */
const UNIQUE_INDEX_COLUMNS: Readonly<Record<string, string>> = {
  users_tenant_username: "users.tenant_id, users.username_lower",
};

/** A user matched by a search or a membership, with what filters and ordering need without reading the user row. */
export interface UserMatch {
  id: string;
  disabled: number;
  created_at: number;
}

/**
 * The database and everything that differs between SQLite and PostgreSQL.
 * Nothing outside this file knows which dialect is in use.
 */
export class Database {
  readonly db: Kysely<Schema>;
  readonly dialect: DialectName;
  /**
   * Where reads that may visit many rows (list pages, counts, searches) run. On a
   * SQLite file it is a read-only connection in a worker thread, because
   * better-sqlite3 runs queries on the calling thread and a search over a million
   * users would stall every other request; elsewhere it is `db`.
   */
  readonly reader: Kysely<Schema>;
  /**
   * SQLite file only: the two reader lanes, each a worker thread with its own
   * connection and queue. Pages read on `page`; exact counts on `count`, so a
   * count that visits every match of a common term never delays a page.
   */
  readonly lanes: { readonly page: SqliteReaderLane; readonly count: SqliteReaderLane } | undefined;

  /** A SQLite file only: checkpoints its write-ahead log off the event loop (see {@link SqliteCheckpointer}). */
  readonly checkpointer: SqliteCheckpointer | undefined;

  /** SQLite only: the connection itself, for the few hot statements prepared once (see {@link appendEvent}). */
  readonly #connection: BetterSqlite3.Database | undefined;
  #appendStatements: { next: BetterSqlite3.Statement<[string], { last_position: number }>; insert: BetterSqlite3.Statement<unknown[]> } | undefined;

  private constructor(db: Kysely<Schema>, dialect: DialectName, sqlite?: BetterSqlite3.Database, file?: string) {
    this.db = db;
    this.dialect = dialect;
    this.lanes = file === undefined ? undefined : { page: new SqliteReaderLane(file), count: new SqliteReaderLane(file) };
    this.reader = this.lanes === undefined ? db : this.lanes.page.kysely<Schema>();
    this.#connection = sqlite;
    this.checkpointer = file === undefined ? undefined : new SqliteCheckpointer(file);
  }

  /**
   * Where exact counts run. On a SQLite file, the count lane (see {@link lanes}):
   * a count queued behind another is dropped, never run, once `signal` fires.
   * On PostgreSQL, the pool (its ten connections already keep a count from
   * delaying a page); in memory, `db`.
   */
  countReader(signal?: AbortSignal): Kysely<Schema> {
    return this.lanes === undefined ? this.reader : this.lanes.count.kysely<Schema>(signal);
  }

  /**
   * Opens `url`: `postgres://…` or `postgresql://…` for PostgreSQL; `sqlite::memory:`,
   * `sqlite:path/to/file.db` or a bare file path for SQLite. Applies migrations.
   */
  static async open(url: string): Promise<Database> {
    const database = /^postgres(ql)?:\/\//.test(url) ? Database.#postgres(url) : Database.#sqlite(url);
    await migrate(database.db as Kysely<unknown>);
    return database;
  }

  static #sqlite(url: string): Database {
    const file = url.replace(/^sqlite:/, "");
    const inMemory = file === "" || file === ":memory:";
    const sqlite = new BetterSqlite3(inMemory ? ":memory:" : file);
    if (!inMemory) sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("busy_timeout = 5000");
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) });
    // An in-memory database cannot be opened from a second thread: it reads, and checkpoints, on the main one.
    if (inMemory) return new Database(db, "sqlite", sqlite);
    // Commits no longer checkpoint on the event loop: a worker does, and the log's file is cut back to 64 MiB after.
    sqlite.pragma("wal_autocheckpoint = 0");
    sqlite.pragma(`journal_size_limit = ${64 * 2 ** 20}`);
    return new Database(db, "sqlite", sqlite, file);
  }

  static #postgres(url: string): Database {
    // int8 (bigint) arrives as a string by default; our bigints are epoch-ms times, safe as numbers.
    const types = { getTypeParser: (oid: number, format?: "text" | "binary") => (oid === 20 ? Number : pg.types.getTypeParser(oid, format)) };
    const pool = new pg.Pool({ connectionString: url, max: 10, types: types as unknown as pg.CustomTypesConfig });
    // An idle connection dropped by the server (a restart, a terminated backend) is replaced on next use;
    // without a listener the pool's 'error' event would crash the process.
    pool.on("error", () => undefined);
    return new Database(new Kysely<Schema>({ dialect: new PostgresDialect({ pool }) }), "postgres");
  }

  /** Locks the selected rows until the transaction ends (PostgreSQL); SQLite transactions are already exclusive. */
  forUpdate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> {
    return this.dialect === "postgres" ? query.forUpdate() : query;
  }

  /**
   * Locks the selected rows and skips rows another transaction holds, so that
   * several instances can claim work without waiting on or repeating each
   * other (PostgreSQL); SQLite has one writer at a time.
   */
  forUpdateSkipLocked<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O> {
    return this.dialect === "postgres" ? query.forUpdate().skipLocked() : query;
  }

  /** True for a unique-constraint violation. */
  /** Whether `error` is a unique violation (of the index named `index`, when given). */
  isUniqueViolation(error: unknown, index?: string): boolean {
    const { code, constraint, message } = (error ?? {}) as { code?: unknown; constraint?: unknown; message?: unknown };
    if (code !== "23505" && code !== "SQLITE_CONSTRAINT_UNIQUE" && code !== "SQLITE_CONSTRAINT_PRIMARYKEY") return false;
    if (index === undefined) return true;
    if (code === "23505") return constraint === index;
    // SQLite names the index's columns, not the index: "UNIQUE constraint failed: users.tenant_id, users.username_lower".
    const columns = UNIQUE_INDEX_COLUMNS[index];
    return columns !== undefined && typeof message === "string" && message.endsWith(columns);
  }

  /**
   * The users of `tenantId` that the search `needle` matches, as `(id, disabled,
   * created_at)` rows, from an index: a case-insensitive substring of the email, the name
   * or the username (all stored lower-cased), or exactly the ID. PostgreSQL answers it from the
   * `pg_trgm` GIN indexes, SQLite from the FTS5 trigram table `users_fts`. A trigram
   * index cannot answer a needle shorter than three characters: then this is
   * `undefined` and the caller scans with {@link userSearchScan}.
   */
  userSearchMatches(tenantId: string, needle: string): RawBuilder<UserMatch> | undefined {
    const lower = needle.toLowerCase();
    if ([...lower].length < 3) return undefined;
    if (this.dialect === "postgres") {
      return sql<UserMatch>`(select id, disabled, created_at from users where tenant_id = ${tenantId} and (id = ${needle} or ${likeContains(sql.ref("email_lower"), lower)} or ${likeContains(sql.ref("name_lower"), lower)} or ${likeContains(sql.ref("username_lower"), lower)}))`;
    }
    // An FTS5 phrase of trigrams at consecutive positions is an exact substring match; `"` is
    // its only special character. CROSS JOIN fixes SQLite's join order: the matches drive.
    const phrase = `"${lower.replaceAll('"', '""')}"`;
    return sql<UserMatch>`(select d.user_id as id, d.disabled as disabled, d.created_at as created_at from users_fts cross join user_search_docs d
      where users_fts match ${phrase} and d.key = users_fts.rowid and d.tenant_id = ${tenantId} and d.user_id <> ${needle}
      union all select id, disabled, created_at from users where tenant_id = ${tenantId} and id = ${needle})`;
  }

  /**
   * Appends an event at the tenant's next feed position, in the caller's write
   * transaction `trx` (which must belong to this database): the position comes
   * from the tenant's counter row, whose lock, held until the transaction ends,
   * makes positions commit order. It is on the path of every change, so it is
   * one statement on PostgreSQL (a data-modifying CTE: one round trip instead of
   * two) and two statements prepared once on SQLite (the connection is the
   * transaction's: SQLite has one, held by the transaction until it ends).
   */
  async appendEvent(trx: Executor, event: Omit<EventsTable, "position" | "erased">): Promise<void> {
    // Outside a transaction another request's transaction may hold SQLite's one connection.
    if (!trx.isTransaction) throw new Error("appendEvent runs inside the change's transaction");
    if (this.#connection !== undefined) {
      this.#appendStatements ??= {
        next: this.#connection.prepare(
          "insert into event_counters (tenant_id, last_position) values (?, 1) on conflict (tenant_id) do update set last_position = last_position + 1 returning last_position",
        ),
        insert: this.#connection.prepare("insert into events (id, tenant_id, position, type, subject_id, user_id, payload, created_at) values (?, ?, ?, ?, ?, ?, ?, ?)"),
      };
      const { next, insert } = this.#appendStatements;
      const position = next.get(event.tenant_id)?.last_position;
      if (position === undefined) throw new Error("event_counters upsert returned no row");
      insert.run(event.id, event.tenant_id, position, event.type, event.subject_id, event.user_id, event.payload, event.created_at);
      return;
    }
    await sql`with counter as (
        insert into event_counters (tenant_id, last_position) values (${event.tenant_id}, 1)
        on conflict (tenant_id) do update set last_position = event_counters.last_position + 1
        returning last_position)
      insert into events (id, tenant_id, position, type, subject_id, user_id, payload, created_at)
      select ${event.id}, ${event.tenant_id}, counter.last_position, ${event.type}, ${event.subject_id}, ${event.user_id}, ${event.payload}, ${event.created_at} from counter`.execute(
      trx,
    );
  }

  /** The same match as {@link userSearchMatches}, as a condition tested row by row. */
  userSearchScan(eb: ExpressionBuilder<Schema, "users">, needle: string): ExpressionWrapper<Schema, "users", SqlBool> {
    const lower = needle.toLowerCase();
    return eb.or([
      eb("users.id", "=", needle),
      likeContains(eb.ref("users.email_lower"), lower),
      likeContains(eb.ref("users.name_lower"), lower),
      likeContains(eb.ref("users.username_lower"), lower),
    ]);
  }

  async close(): Promise<void> {
    if (this.lanes !== undefined) await Promise.all([this.lanes.page.close(), this.lanes.count.close()]);
    await this.checkpointer?.close();
    await this.db.destroy();
  }
}

/**
 * Migration 0003: what keeps user totals and search fast at a million users.
 *
 * - `user_counts` holds one row per (tenant, disabled) with the exact number of
 *   users, kept by triggers in the transaction of every insert, delete and
 *   status change, whichever code path makes it: unfiltered and status-filtered
 *   totals read one or two rows instead of counting.
 * - `users_tenant_status_created` serves status-filtered pages as an index seek.
 * - PostgreSQL: `pg_trgm` GIN indexes on the lower-cased email and name.
 * - SQLite: a contentless FTS5 `trigram` table, keyed by the stable integer key of
 *   `user_search_docs` (the rowid of `users` may change on VACUUM).
 */
export async function createUserScaleSchema(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema
    .createTable("user_counts")
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("disabled", "integer", (c) => c.notNull())
    .addColumn("n", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("user_counts_pk", ["tenant_id", "disabled"])
    .execute();
  await sql`insert into user_counts (tenant_id, disabled, n) select tenant_id, disabled, count(*) from users group by tenant_id, disabled`.execute(db);
  await db.schema.createIndex("users_tenant_status_created").on("users").columns(["tenant_id", "disabled", "created_at", "id"]).execute();
  if (postgres) {
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index users_email_trgm on users using gin (email_lower gin_trgm_ops)`.execute(db);
    await sql`create index users_name_trgm on users using gin (name_lower gin_trgm_ops)`.execute(db);
    // Statement-level triggers with transition tables: one upsert per statement and
    // (tenant, status), in key order so concurrent writers lock counter rows in one order.
    const events = [
      { event: "insert", tables: "new table as changed_new", deltas: "select tenant_id, disabled, 1 as delta from changed_new" },
      { event: "delete", tables: "old table as changed_old", deltas: "select tenant_id, disabled, -1 as delta from changed_old" },
      {
        event: "update",
        tables: "old table as changed_old new table as changed_new",
        deltas: "select tenant_id, disabled, 1 as delta from changed_new union all select tenant_id, disabled, -1 from changed_old",
      },
    ];
    for (const { event, tables, deltas } of events) {
      await sql`create function ${sql.raw(`hellojohn_user_counts_${event}`)}() returns trigger language plpgsql as $$
        begin
          insert into user_counts as c (tenant_id, disabled, n)
            select tenant_id, disabled, sum(delta) from (${sql.raw(deltas)}) d
            group by tenant_id, disabled having sum(delta) <> 0 order by tenant_id, disabled
            on conflict (tenant_id, disabled) do update set n = c.n + excluded.n;
          return null;
        end $$`.execute(db);
      await sql`create trigger ${sql.raw(`users_count_${event}`)} after ${sql.raw(event)} on users referencing ${sql.raw(tables)}
        for each statement execute function ${sql.raw(`hellojohn_user_counts_${event}`)}()`.execute(db);
    }
    return;
  }
  await sql`create table user_search_docs (
      key integer primary key,
      user_id text not null unique,
      tenant_id text not null,
      disabled integer not null,
      created_at integer not null
    )`.execute(db);
  await sql`create virtual table users_fts using fts5(email, name, content='', contentless_delete=1, tokenize='trigram case_sensitive 1')`.execute(db);
  await sql`insert into user_search_docs (user_id, tenant_id, disabled, created_at) select id, tenant_id, disabled, created_at from users order by created_at, id`.execute(db);
  await sql`insert into users_fts (rowid, email, name) select d.key, u.email_lower, u.name_lower from user_search_docs d join users u on u.id = d.user_id`.execute(db);
  await sql`create trigger users_scale_insert after insert on users begin
      insert into user_counts (tenant_id, disabled, n) values (new.tenant_id, new.disabled, 1)
        on conflict (tenant_id, disabled) do update set n = n + 1;
      insert into user_search_docs (user_id, tenant_id, disabled, created_at) values (new.id, new.tenant_id, new.disabled, new.created_at);
      insert into users_fts (rowid, email, name) values (last_insert_rowid(), new.email_lower, new.name_lower);
    end`.execute(db);
  await sql`create trigger users_scale_delete after delete on users begin
      update user_counts set n = n - 1 where tenant_id = old.tenant_id and disabled = old.disabled;
      delete from users_fts where rowid = (select key from user_search_docs where user_id = old.id);
      delete from user_search_docs where user_id = old.id;
    end`.execute(db);
  await sql`create trigger users_scale_status after update of disabled on users when new.disabled is not old.disabled begin
      update user_counts set n = n - 1 where tenant_id = old.tenant_id and disabled = old.disabled;
      insert into user_counts (tenant_id, disabled, n) values (new.tenant_id, new.disabled, 1)
        on conflict (tenant_id, disabled) do update set n = n + 1;
      update user_search_docs set disabled = new.disabled where user_id = new.id;
    end`.execute(db);
  await sql`create trigger users_scale_search after update of email_lower, name_lower on users
      when new.email_lower is not old.email_lower or new.name_lower is not old.name_lower begin
      delete from users_fts where rowid = (select key from user_search_docs where user_id = new.id);
      insert into users_fts (rowid, email, name) select key, new.email_lower, new.name_lower from user_search_docs where user_id = new.id;
    end`.execute(db);
}

/**
 * Migration 0012: what keeps the `orgId` filter's pages and totals flat at a
 * million users.
 *
 * - Each membership carries its user's `created_at` (which never changes) and
 *   `disabled` (kept by a trigger on users), so an organization's members are
 *   paged newest first by walking one index, `(org_id, user_created_at, user_id)`,
 *   or with a status `(org_id, user_disabled, user_created_at, user_id)`.
 * - `org_member_counts` holds one row per (organization, disabled) with the
 *   exact number of members, kept by triggers in the transaction of every
 *   membership insert and delete and every status change, whichever code path
 *   makes it.
 *
 * `user_created_at` is null only for a membership whose user does not exist
 * (none are written so); such rows are neither counted nor listed.
 */
export async function createMembershipScaleSchema(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.alterTable("memberships").addColumn("user_created_at", "bigint").execute();
  await db.schema
    .alterTable("memberships")
    .addColumn("user_disabled", "integer", (c) => c.notNull().defaultTo(0))
    .execute();
  await sql`update memberships set
      user_created_at = (select u.created_at from users u where u.id = memberships.user_id),
      user_disabled = coalesce((select u.disabled from users u where u.id = memberships.user_id), 0)`.execute(db);
  await db.schema
    .createTable("org_member_counts")
    .addColumn("tenant_id", "text", (c) => c.notNull())
    .addColumn("org_id", "text", (c) => c.notNull())
    .addColumn("disabled", "integer", (c) => c.notNull())
    .addColumn("n", "bigint", (c) => c.notNull())
    .addPrimaryKeyConstraint("org_member_counts_pk", ["org_id", "disabled"])
    .execute();
  await sql`insert into org_member_counts (tenant_id, org_id, disabled, n)
      select tenant_id, org_id, user_disabled, count(*) from memberships where user_created_at is not null
      group by tenant_id, org_id, user_disabled`.execute(db);
  await db.schema.createIndex("memberships_org_created").on("memberships").columns(["org_id", "user_created_at", "user_id"]).execute();
  await db.schema.createIndex("memberships_org_status_created").on("memberships").columns(["org_id", "user_disabled", "user_created_at", "user_id"]).execute();
  if (postgres) {
    await sql`create function hellojohn_membership_fill() returns trigger language plpgsql as $$
      begin
        select u.created_at, u.disabled into new.user_created_at, new.user_disabled from users u where u.id = new.user_id;
        new.user_disabled := coalesce(new.user_disabled, 0);
        return new;
      end $$`.execute(db);
    await sql`create trigger memberships_fill before insert on memberships for each row execute function hellojohn_membership_fill()`.execute(db);
    await sql`create function hellojohn_org_member_counts() returns trigger language plpgsql as $$
      begin
        if tg_op in ('DELETE', 'UPDATE') and old.user_created_at is not null then
          update org_member_counts set n = n - 1 where org_id = old.org_id and disabled = old.user_disabled;
        end if;
        if tg_op in ('INSERT', 'UPDATE') and new.user_created_at is not null then
          insert into org_member_counts as c (tenant_id, org_id, disabled, n) values (new.tenant_id, new.org_id, new.user_disabled, 1)
            on conflict (org_id, disabled) do update set n = c.n + 1;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger memberships_count_insert_delete after insert or delete on memberships for each row execute function hellojohn_org_member_counts()`.execute(db);
    await sql`create trigger memberships_count_status after update of user_disabled on memberships for each row
      when (old.user_disabled is distinct from new.user_disabled) execute function hellojohn_org_member_counts()`.execute(db);
    await sql`create function hellojohn_membership_status() returns trigger language plpgsql as $$
      begin
        update memberships set user_disabled = new.disabled where tenant_id = new.tenant_id and user_id = new.id;
        return null;
      end $$`.execute(db);
    await sql`create trigger users_membership_status after update of disabled on users for each row
      when (old.disabled is distinct from new.disabled) execute function hellojohn_membership_status()`.execute(db);
    return;
  }
  await sql`create trigger memberships_scale_insert after insert on memberships begin
      update memberships set
          user_created_at = (select u.created_at from users u where u.id = new.user_id),
          user_disabled = coalesce((select u.disabled from users u where u.id = new.user_id), 0)
        where org_id = new.org_id and user_id = new.user_id;
      insert into org_member_counts (tenant_id, org_id, disabled, n)
        select new.tenant_id, new.org_id, u.disabled, 1 from users u where u.id = new.user_id
        on conflict (org_id, disabled) do update set n = n + 1;
    end`.execute(db);
  await sql`create trigger memberships_scale_delete after delete on memberships when old.user_created_at is not null begin
      update org_member_counts set n = n - 1 where org_id = old.org_id and disabled = old.user_disabled;
    end`.execute(db);
  await sql`create trigger memberships_scale_status after update of user_disabled on memberships
      when old.user_created_at is not null and new.user_disabled is not old.user_disabled begin
      update org_member_counts set n = n - 1 where org_id = old.org_id and disabled = old.user_disabled;
      insert into org_member_counts (tenant_id, org_id, disabled, n) values (new.tenant_id, new.org_id, new.user_disabled, 1)
        on conflict (org_id, disabled) do update set n = n + 1;
    end`.execute(db);
  await sql`create trigger users_membership_status after update of disabled on users when new.disabled is not old.disabled begin
      update memberships set user_disabled = new.disabled where tenant_id = new.tenant_id and user_id = new.id;
    end`.execute(db);
}

/**
 * Migration 0013: usernames. Stored as written and lower-cased; the lower-cased
 * one is unique per tenant (NULLs do not collide) and searchable like the email
 * and the name: a `pg_trgm` GIN index on PostgreSQL; on SQLite the FTS5 table is
 * rebuilt with a third column and its triggers follow.
 */
export async function createUsernameSchema(db: Kysely<unknown>): Promise<void> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  await db.schema.alterTable("users").addColumn("username", "text").execute();
  await db.schema.alterTable("users").addColumn("username_lower", "text").execute();
  await db.schema.createIndex("users_tenant_username").on("users").columns(["tenant_id", "username_lower"]).unique().execute();
  if (postgres) {
    await sql`create index users_username_trgm on users using gin (username_lower gin_trgm_ops)`.execute(db);
    return;
  }
  await sql`drop trigger users_scale_insert`.execute(db);
  await sql`drop trigger users_scale_delete`.execute(db);
  await sql`drop trigger users_scale_search`.execute(db);
  await sql`drop table users_fts`.execute(db);
  await sql`create virtual table users_fts using fts5(email, name, username, content='', contentless_delete=1, tokenize='trigram case_sensitive 1')`.execute(db);
  await sql`insert into users_fts (rowid, email, name, username) select d.key, u.email_lower, u.name_lower, u.username_lower from user_search_docs d join users u on u.id = d.user_id`.execute(
    db,
  );
  await sql`create trigger users_scale_insert after insert on users begin
      insert into user_counts (tenant_id, disabled, n) values (new.tenant_id, new.disabled, 1)
        on conflict (tenant_id, disabled) do update set n = n + 1;
      insert into user_search_docs (user_id, tenant_id, disabled, created_at) values (new.id, new.tenant_id, new.disabled, new.created_at);
      insert into users_fts (rowid, email, name, username) values (last_insert_rowid(), new.email_lower, new.name_lower, new.username_lower);
    end`.execute(db);
  await sql`create trigger users_scale_delete after delete on users begin
      update user_counts set n = n - 1 where tenant_id = old.tenant_id and disabled = old.disabled;
      delete from users_fts where rowid = (select key from user_search_docs where user_id = old.id);
      delete from user_search_docs where user_id = old.id;
    end`.execute(db);
  await sql`create trigger users_scale_search after update of email_lower, name_lower, username_lower on users
      when new.email_lower is not old.email_lower or new.name_lower is not old.name_lower or new.username_lower is not old.username_lower begin
      delete from users_fts where rowid = (select key from user_search_docs where user_id = new.id);
      insert into users_fts (rowid, email, name, username) select key, new.email_lower, new.name_lower, new.username_lower from user_search_docs where user_id = new.id;
    end`.execute(db);
}
