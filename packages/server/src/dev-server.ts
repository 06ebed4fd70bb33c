import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createServer, type HelloJohnServer, type ServerOptions } from "./app.js";
import { MasterKey } from "./crypto/master-key.js";
import { createConsoleLoginLink } from "./console/login-link.js";

/** Options of {@link startDevServer}. */
export interface DevServerOptions {
  /** Where the SQLite database, master key and dev credentials live. Default `.hellojohn`. */
  dataDir?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8787; 0 picks a free port. */
  port?: number;
  /** Fastify log level; default `warn`. */
  logLevel?: string;
  /** Connection limits and other {@link ServerOptions} to pass through (not the database, key or logger). */
  serverOptions?: Omit<ServerOptions, "databaseUrl" | "masterKey" | "logger">;
}

/** A running development server and the credentials to talk to it. */
export interface DevServer {
  url: string;
  tenantId: string;
  secretKey: string;
  /** The `HELLOJOHN_*` variables to hand to an app. */
  env: { HELLOJOHN_API_URL: string; HELLOJOHN_TENANT_ID: string; HELLOJOHN_SECRET_KEY: string };
  /** A one-time, 10-minute login link to the admin console at `/console` (the console is on in dev). */
  consoleLoginUrl: string;
  /** The data folder, resolved. */
  dataDir: string;
  server: HelloJohnServer;
  close(): Promise<void>;
}

interface DevState {
  masterKey: string;
  tenantId?: string;
  secretKey?: string;
}

/**
 * Starts a local HelloJohn server on SQLite in `dataDir`, creating a tenant and
 * a secret key on first run and reusing them afterwards. What
 * `hellojohn-server dev` runs, and what the example apps start when no
 * `HELLOJOHN_*` variables are set. Not for production: the dev key is kept in
 * the data folder (mode 0600).
 *
 * @example
 * ```ts
 * const dev = await startDevServer({ port: 0 });
 * const hj = new HelloJohn({ tenantId: dev.tenantId, secretKey: dev.secretKey, baseUrl: dev.url });
 * ```
 */
export async function startDevServer(options: DevServerOptions = {}): Promise<DevServer> {
  const dataDir = resolve(options.dataDir ?? ".hellojohn");
  mkdirSync(dataDir, { recursive: true });
  const stateFile = join(dataDir, "dev.json");
  let state: DevState = existsSync(stateFile) ? (JSON.parse(readFileSync(stateFile, "utf8")) as DevState) : { masterKey: MasterKey.generate() };
  const server = await createServer({
    ...options.serverOptions,
    databaseUrl: `sqlite:${join(dataDir, "hellojohn.db")}`,
    masterKey: state.masterKey,
    logger: { level: options.logLevel ?? "warn" },
    console: options.serverOptions?.console ?? true,
    // Local apps receive webhooks on localhost.
    webhooks: { allowPrivateNetworks: true },
    // Same mechanisms as production, with limits a developer does not hit by accident.
    limits: { preset: "development", ...options.serverOptions?.limits },
  });
  if (state.tenantId === undefined || state.secretKey === undefined) {
    const tenant = await server.tenants.createTenant("Development");
    const { secretKey } = await server.tenants.createApiKey(tenant.id, "dev");
    state = { ...state, tenantId: tenant.id, secretKey };
  }
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  chmodSync(stateFile, 0o600);
  const url = await server.listen({ host: options.host ?? "127.0.0.1", port: options.port ?? 8787 });
  const { tenantId, secretKey } = state as Required<DevState>;
  const consoleLink = await createConsoleLoginLink(server, { tenantId, operator: "dev", baseUrl: url });
  return {
    consoleLoginUrl: consoleLink.url,
    url,
    tenantId,
    secretKey,
    env: { HELLOJOHN_API_URL: url, HELLOJOHN_TENANT_ID: tenantId, HELLOJOHN_SECRET_KEY: secretKey },
    dataDir,
    server,
    close: () => server.close(),
  };
}
