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

/** A query waiting for its lane's worker, or on it. */
interface Job {
  id: number;
  query: CompiledQuery;
  signal: AbortSignal | undefined;
  onAbort: (() => void) | undefined;
  resolve(rows: unknown[]): void;
  reject(error: Error): void;
}

/** What a lane has done, for tests and diagnostics. */
export interface ReaderLaneStats {
  /** Queries handed to the worker (each ran, or runs now). */
  dispatched: number;
  /** Queries whose AbortSignal fired while they waited: never handed to the worker. */
  dropped: number;
  /** Queries waiting now, behind the one in flight. */
  waiting: number;
}

const aborted = (signal: AbortSignal): Error => (signal.reason instanceof Error ? signal.reason : new DOMException("The query was aborted before it ran", "AbortError"));

/**
 * One read-only connection to a SQLite file, in its own worker thread, fed by a
 * queue kept on the main thread: one query in flight at a time, the rest wait
 * here in order. Because they wait here and not in the worker's message queue,
 * a query whose AbortSignal fires before its turn is dropped, never run (a
 * console keystroke abandons the previous keystroke's count this way).
 *
 * A query that must visit many rows (an exact count over a common search term)
 * costs the worker its time, not the event loop every other request waits on;
 * queries that must not wait behind such a count take another lane.
 */
export class SqliteReaderLane {
  #worker: Worker | undefined;
  #closed = false;
  #next = 0;
  #inFlight: Job | undefined;
  readonly #waiting: Job[] = [];
  #dispatched = 0;
  #dropped = 0;
  #kysely: Kysely<unknown> | undefined;

  constructor(private readonly file: string) {}

  get stats(): ReaderLaneStats {
    return { dispatched: this.#dispatched, dropped: this.#dropped, waiting: this.#waiting.length };
  }

  #start(): Worker {
    const driver = createRequire(import.meta.url).resolve("better-sqlite3");
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, file: this.file } });
    worker.on("message", (reply: Reply) => {
      const job = this.#inFlight;
      if (job === undefined || job.id !== reply.id) return;
      this.#inFlight = undefined;
      // Idle again: an idle reader must not keep the process alive.
      if (this.#waiting.length === 0) worker.unref();
      if (reply.error === undefined) job.resolve(reply.rows ?? []);
      else job.reject(Object.assign(new Error(reply.error.message), { code: reply.error.code }));
      this.#dispatch();
    });
    worker.on("error", (error) => this.#failAll(error));
    worker.on("exit", () => {
      // A worker that died is replaced by the next query; the ones it held fail.
      if (this.#worker === worker) this.#worker = undefined;
      this.#failAll(new Error("the SQLite reader thread exited"));
    });
    return worker;
  }

  #failAll(error: Error): void {
    const jobs = [...(this.#inFlight === undefined ? [] : [this.#inFlight]), ...this.#waiting.splice(0)];
    this.#inFlight = undefined;
    for (const job of jobs) {
      if (job.onAbort !== undefined) job.signal?.removeEventListener("abort", job.onAbort);
      job.reject(error);
    }
  }

  /** Hands the next waiting query to the worker when none is in flight. */
  #dispatch(): void {
    if (this.#inFlight !== undefined) return;
    const job = this.#waiting.shift();
    if (job === undefined) return;
    if (job.onAbort !== undefined) job.signal?.removeEventListener("abort", job.onAbort);
    this.#worker ??= this.#start();
    // Referenced while a query is awaited: unreferenced, the process could end under the await.
    this.#worker.ref();
    this.#inFlight = job;
    this.#dispatched++;
    this.#worker.postMessage({ id: job.id, sql: job.query.sql, parameters: job.query.parameters });
  }

  /** Runs `query` after the queries before it; refused without running once `signal` fires while it waits. */
  run(query: CompiledQuery, signal?: AbortSignal): Promise<unknown[]> {
    if (this.#closed) return Promise.reject(new Error("the SQLite reader is closed"));
    if (signal?.aborted) {
      this.#dropped++;
      return Promise.reject(aborted(signal));
    }
    return new Promise((resolve, reject) => {
      const job: Job = { id: this.#next++, query, signal, onAbort: undefined, resolve, reject };
      if (signal !== undefined) {
        job.onAbort = () => {
          const at = this.#waiting.indexOf(job);
          if (at === -1) return;
          this.#waiting.splice(at, 1);
          this.#dropped++;
          reject(aborted(signal));
        };
        signal.addEventListener("abort", job.onAbort, { once: true });
      }
      this.#waiting.push(job);
      this.#dispatch();
    });
  }

  /**
   * A Kysely instance whose queries run on this lane; with `signal`, each of its
   * queries is dropped if the signal fires before the query's turn. Cheap: one per request is fine.
   */
  kysely<DB>(signal?: AbortSignal): Kysely<DB> {
    if (signal === undefined) {
      this.#kysely ??= laneKysely(this, undefined);
      return this.#kysely as Kysely<DB>;
    }
    return laneKysely(this, signal);
  }

  async close(): Promise<void> {
    this.#closed = true;
    const worker = this.#worker;
    this.#worker = undefined;
    this.#failAll(new Error("the SQLite reader is closed"));
    if (worker !== undefined) {
      worker.ref();
      await worker.terminate();
    }
  }
}

/** Kysely's view of a lane: every connection is the lane itself; closing is the lane owner's job. */
class LaneDriver implements Driver {
  constructor(
    private readonly lane: SqliteReaderLane,
    private readonly signal: AbortSignal | undefined,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> => ({ rows: (await this.lane.run(query, this.signal)) as R[] }),
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
  async destroy(): Promise<void> {}
}

function laneKysely<DB>(lane: SqliteReaderLane, signal: AbortSignal | undefined): Kysely<DB> {
  const dialect: Dialect = {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new LaneDriver(lane, signal),
    createIntrospector: (db) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
  return new Kysely<DB>({ dialect });
}
