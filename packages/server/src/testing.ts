import { randomBytes } from "node:crypto";
import { HelloJohn, type HelloJohnOptions } from "@hellojohn/node";
import pg from "pg";
import { createServer, type HelloJohnServer, type WebhookOptions } from "./app.js";
import { MasterKey } from "./crypto/master-key.js";
import type { LimitsOptions } from "./limits/limits-options.js";

/** Options of {@link startTestServer}. */
export interface TestServerOptions {
  /** Default: a fresh in-memory SQLite database. Pass `postgres://…` to test against PostgreSQL. */
  databaseUrl?: string;
  /** Extra options for the ready-made `client` (e.g. a custom `fetch`). */
  clientOptions?: Omit<HelloJohnOptions, "tenantId" | "secretKey" | "baseUrl">;
  /** Fastify logger; default off. */
  logger?: boolean;
  /** Default: a fresh random key. Give several test servers on one database the same key. */
  masterKey?: string;
  /** Default: the listening address. Give several instances behind one address the same value. */
  publicUrl?: string;
  /**
   * Webhook delivery settings, e.g. a short `retrySchedule` so tests never
   * wait for real back-off. Private and loopback endpoint URLs are always
   * allowed here, so a receiver in your test can get events.
   */
  webhooks?: Omit<WebhookOptions, "allowPrivateNetworks">;
  /**
   * Adjusts the limits. The default is the `"development"` preset: sign-in throttling, admin
   * API rate limits and hashing admission control all run, with limits a test suite does not
   * reach by accident. Pass `{ preset: "production" }` (and smaller numbers) to test your
   * app's handling of `429` and `503`.
   */
  limits?: LimitsOptions;
  /** Share the limits through this Redis, as `createServer({ redisUrl })` does. */
  redisUrl?: string;
  /** Prefix of the Redis keys; give each test its own. */
  redisKeyPrefix?: string;
  /** As `createServer({ trustProxy })`. */
  trustProxy?: boolean | number | string;
}

/** A running test server with one tenant, one secret key, and a client for it. */
export interface TestServer {
  /** Base URL, e.g. `http://127.0.0.1:53211`. */
  url: string;
  tenantId: string;
  secretKey: string;
  /** The API key's public ID (`key_…`), the `act.sub` of impersonation tokens. */
  keyId: string;
  /** A `HelloJohn` client already pointed at this server. */
  client: HelloJohn;
  /** The server itself, e.g. `server.tenants.createTenant()` for a second tenant. */
  server: HelloJohnServer;
  /** The `HELLOJOHN_*` variables for this server, to pass to a child process. */
  env: { HELLOJOHN_TENANT_ID: string; HELLOJOHN_SECRET_KEY: string; HELLOJOHN_API_URL: string };
  close(): Promise<void>;
}

/**
 * Starts a real HelloJohn server on an ephemeral loopback port, with fast
 * (insecure) password hashing, for your test suite.
 *
 * @example
 * ```ts
 * import { startTestServer } from "@hellojohn/server/testing";
 *
 * const hjServer = await startTestServer();
 * const user = await hjServer.client.users.create({ email: "a@example.com" });
 * await hjServer.close();
 * ```
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const server = await createServer({
    databaseUrl: options.databaseUrl ?? "sqlite::memory:",
    masterKey: options.masterKey ?? MasterKey.generate(),
    publicUrl: options.publicUrl,
    passwordHashing: "unsafe-test-only",
    logger: options.logger ?? false,
    webhooks: { ...options.webhooks, allowPrivateNetworks: true },
    limits: { preset: "development", ...options.limits },
    redisUrl: options.redisUrl,
    redisKeyPrefix: options.redisKeyPrefix,
    trustProxy: options.trustProxy,
  });
  const url = await server.listen({ host: "127.0.0.1", port: 0 });
  const tenant = await server.tenants.createTenant("Test tenant");
  const { keyId, secretKey } = await server.tenants.createApiKey(tenant.id, "test");
  const client = new HelloJohn({ ...options.clientOptions, tenantId: tenant.id, secretKey, baseUrl: url });
  return {
    url,
    tenantId: tenant.id,
    secretKey,
    keyId,
    client,
    server,
    env: { HELLOJOHN_TENANT_ID: tenant.id, HELLOJOHN_SECRET_KEY: secretKey, HELLOJOHN_API_URL: url },
    close: () => server.close(),
  };
}

/** Where {@link testDatabases} creates PostgreSQL databases: `HELLOJOHN_TEST_PG_URL`, else the local server as `postgres`. */
export const TEST_PG_ADMIN_URL: string = process.env.HELLOJOHN_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

/** A database kind a suite can run on, with a way to make and drop a fresh database of it. */
export interface TestDatabase {
  name: "sqlite" | "postgres";
  /** A fresh, empty database URL for one suite: pass it to `startTestServer({ databaseUrl })`. */
  create(): Promise<string>;
  /** Drops what `create` made. */
  drop(url: string): Promise<void>;
}

async function pgAdmin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: TEST_PG_ADMIN_URL, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const postgresDatabase: TestDatabase = {
  name: "postgres",
  async create() {
    const name = `hellojohn_test_${randomBytes(6).toString("hex")}`;
    await pgAdmin((c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(TEST_PG_ADMIN_URL);
    url.pathname = `/${name}`;
    return url.href;
  },
  async drop(url) {
    const name = new URL(url).pathname.slice(1);
    await pgAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
  },
};

const sqliteDatabase: TestDatabase = { name: "sqlite", create: async () => "sqlite::memory:", drop: async () => undefined };

/**
 * The databases to run a suite on: SQLite always, PostgreSQL when
 * {@link TEST_PG_ADMIN_URL} is reachable (else skipped with a warning). Under
 * `CI=true` PostgreSQL is mandatory: an unreachable server throws instead.
 *
 * @example
 * ```ts
 * describe.each(await testDatabases())("on $name", (database) => {
 *   let hj: TestServer;
 *   let url: string;
 *   beforeAll(async () => (hj = await startTestServer({ databaseUrl: (url = await database.create()) })));
 *   afterAll(async () => { await hj.close(); await database.drop(url); });
 * });
 * ```
 */
export async function testDatabases(): Promise<TestDatabase[]> {
  try {
    await pgAdmin((c) => c.query("SELECT 1"));
    return [sqliteDatabase, postgresDatabase];
  } catch (error) {
    if (process.env.CI === "true") {
      throw new Error(`PostgreSQL is required under CI=true but ${TEST_PG_ADMIN_URL} is unreachable: ${(error as Error).message}`);
    }
    console.warn(`PostgreSQL suites skipped: ${(error as Error).message}`);
    return [sqliteDatabase];
  }
}
