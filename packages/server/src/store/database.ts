import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, type SelectQueryBuilder } from "kysely";
import pg from "pg";
import { migrate } from "./migrations.js";
import type { Schema } from "./schema.js";

export type DialectName = "sqlite" | "postgres";

/**
 * The database and everything that differs between SQLite and PostgreSQL.
 * Nothing outside this file knows which dialect is in use.
 */
export class Database {
  readonly db: Kysely<Schema>;
  readonly dialect: DialectName;

  private constructor(db: Kysely<Schema>, dialect: DialectName) {
    this.db = db;
    this.dialect = dialect;
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
    const sqlite = new BetterSqlite3(file === "" ? ":memory:" : file);
    if (file !== ":memory:") sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("synchronous = NORMAL");
    sqlite.pragma("busy_timeout = 5000");
    return new Database(new Kysely<Schema>({ dialect: new SqliteDialect({ database: sqlite }) }), "sqlite");
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

  /** True for a unique-constraint violation. */
  isUniqueViolation(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return code === "23505" || code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
  }

  close(): Promise<void> {
    return this.db.destroy();
  }
}
