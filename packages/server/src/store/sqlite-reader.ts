import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import { Kysely, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type CompiledQuery, type DatabaseConnection, type Dialect, type Driver, type QueryResult } from "kysely";

// The worker is a few lines of CommonJS evaluated in place, so the package needs no
// extra entry point; it is handed the resolved path of better-sqlite3.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const Sqlite = require(workerData.driver);
const db = new Sqlite(workerData.file, { readonly: true, fileMustExist: true });
db.pragma("busy_timeout = 5000");
const statements = new Map();
parentPort.on("message", ({ id, sql, parameters }) => {
  try {
    let statement = statements.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      if (statements.size >= 256) statements.delete(statements.keys().next().value);
      statements.set(sql, statement);
    }
    parentPort.postMessage({ id, rows: statement.reader ? statement.all(...parameters) : [] });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

interface Reply {
  id: number;
  rows?: unknown[];
  error?: { message: string; code?: string };
}

/**
 * A read-only connection to a SQLite file in a worker thread. A query that must
 * visit many rows (an exact count over a common search term) then costs the worker
 * its time, not the event loop every other request waits on.
 */
class SqliteReaderDriver implements Driver {
  #worker: Worker | undefined;
  #next = 0;
  readonly #pending = new Map<number, { resolve(rows: unknown[]): void; reject(error: Error): void }>();

  constructor(private readonly file: string) {}

  async init(): Promise<void> {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: this.file } });
    worker.on("message", (reply: Reply) => {
      const waiter = this.#pending.get(reply.id);
      if (waiter === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.error === undefined) waiter.resolve(reply.rows ?? []);
      else waiter.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
    });
    worker.on("error", (error) => this.#failAll(error));
    worker.on("exit", () => this.#failAll(new Error("the SQLite reader thread exited")));
    // An idle reader must not keep the process alive.
    worker.unref();
    this.#worker = worker;
  }

  #failAll(error: Error): void {
    for (const waiter of this.#pending.values()) waiter.reject(error);
    this.#pending.clear();
  }

  #run(query: CompiledQuery): Promise<unknown[]> {
    const worker = this.#worker;
    if (worker === undefined) return Promise.reject(new Error("the SQLite reader is closed"));
    const id = this.#next++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      worker.postMessage({ id, sql: query.sql, parameters: query.parameters });
    });
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => ({ rows: (await this.#run(query)) as R[] }),
      // biome-ignore lint/correctness/useYield: a generator by interface, it refuses before yielding anything.
      streamQuery: async function* () {
        throw new Error("the SQLite reader does not stream");
      },
    };
  }

  async beginTransaction(): Promise<void> {
    throw new Error("the SQLite reader is read-only: run transactions on the main connection");
  }
  async commitTransaction(): Promise<void> {}
  async rollbackTransaction(): Promise<void> {}
  async releaseConnection(): Promise<void> {}

  async destroy(): Promise<void> {
    const worker = this.#worker;
    this.#worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }
}

/** A Kysely instance whose queries run on a read-only connection in a worker thread. */
export function sqliteReader<DB>(file: string): Kysely<DB> {
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new SqliteReaderDriver(file),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
  return new Kysely<DB>({ dialect });
}
