// The SDK's resource tests talk to a real HelloJohn server over real HTTP, on
// SQLite and (when reachable, always under CI=true) PostgreSQL. The server
// depends on this package, so it cannot be a dependency of it: its built
// testing entry is imported by path, and turbo builds it before this
// package's tests and typecheck (turbo.json, "@hellojohn/node#test").
import { startTestServer, testDatabases, type TestDatabase, type TestServer, type TestServerOptions } from "../../server/dist/testing.js";
import { HelloJohn, type HelloJohnOptions } from "../src/index.js";

export { testDatabases, type TestDatabase };

/** A real server on a fresh database, and a client of this package's sources for its tenant. */
export interface RealServer {
  /** The running server: its URL, tenant, key, and `server` itself (e.g. to make a second tenant). */
  t: TestServer;
  /** A client built from `src/`, not from the server's copy of the SDK. */
  hj: HelloJohn;
  /** Another client for the same tenant, with other options (e.g. `maxRetries: 0`). */
  client(options?: Omit<HelloJohnOptions, "tenantId" | "secretKey">): HelloJohn;
  close(): Promise<void>;
}

export async function realServer(database: TestDatabase, options: Omit<TestServerOptions, "databaseUrl" | "clientOptions"> = {}): Promise<RealServer> {
  const databaseUrl = await database.create();
  const t = await startTestServer({ ...options, databaseUrl });
  const client = (options: Omit<HelloJohnOptions, "tenantId" | "secretKey"> = {}): HelloJohn =>
    new HelloJohn({ baseUrl: t.url, ...options, tenantId: t.tenantId, secretKey: t.secretKey });
  return {
    t,
    hj: client(),
    client,
    async close() {
      await t.close();
      await database.drop(databaseUrl);
    },
  };
}

let counter = 0;
/** A unique email per call. */
export const email = (tag = "user"): string => `${tag}.${Date.now().toString(36)}.${counter++}@example.com`;

export const PASSWORD = "TemporaryPass123!";
