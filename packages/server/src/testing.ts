import { HelloJohn, type HelloJohnOptions } from "@hellojohn/node";
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
