import { randomBytes } from "node:crypto";
import pg from "pg";

/** Where the admin connection for test databases points. */
export const PG_ADMIN_URL = process.env.HELLOJOHN_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface Backend {
  name: "sqlite" | "postgres";
  /** A fresh, empty database URL for one suite. */
  create(): Promise<string>;
  /** Drops what `create` made. */
  drop(url: string): Promise<void>;
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const postgres: Backend = {
  name: "postgres",
  async create() {
    const name = `hellojohn_test_${randomBytes(6).toString("hex")}`;
    await admin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(PG_ADMIN_URL);
    url.pathname = `/${name}`;
    return url.href;
  },
  async drop(url) {
    const name = new URL(url).pathname.slice(1);
    await admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  },
};

const sqlite: Backend = { name: "sqlite", create: async () => "sqlite::memory:", drop: async () => undefined };

/**
 * SQLite always; PostgreSQL when reachable. Under CI=true PostgreSQL is
 * mandatory: an unreachable server fails the run instead of skipping.
 */
export async function backends(): Promise<Backend[]> {
  try {
    await admin((c) => c.query("SELECT 1"));
    return [sqlite, postgres];
  } catch (error) {
    if (process.env.CI === "true") {
      throw new Error(`PostgreSQL is required under CI=true but ${PG_ADMIN_URL} is unreachable: ${(error as Error).message}`);
    }
    console.warn(`PostgreSQL suites skipped: ${(error as Error).message}`);
    return [sqlite];
  }
}
