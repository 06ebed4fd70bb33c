#!/usr/bin/env node
import { parseArgs } from "node:util";
import { createServer, VERSION, type HelloJohnServer } from "./app.js";
import { MasterKey } from "./crypto/master-key.js";
import { startDevServer } from "./dev-server.js";

const HELP = `hellojohn-server ${VERSION}: the HelloJohn Users API

Usage:
  hellojohn-server dev [--data-dir .hellojohn] [--port 8787]
      Start locally with SQLite in the data folder. Creates a tenant and an API
      key on first run and prints the HELLOJOHN_* variables to use.

  hellojohn-server start [--host 127.0.0.1] [--port 8787] [--database-url URL]
                         [--master-key KEY] [--public-url URL] [--log-level info]
      Start for real. The database URL is sqlite:FILE or postgres://…
      (PostgreSQL for production and several instances).

  hellojohn-server tenant create --name NAME       Create a tenant (prints its ID)
  hellojohn-server tenant list                     List tenants
  hellojohn-server key create --tenant ID [--name NAME]
                                                   Create a secret key (shown once)
  hellojohn-server key list --tenant ID            List a tenant's keys
  hellojohn-server key revoke --tenant ID --key KEY_ID

Every option can come from the environment instead:
  HELLOJOHN_DATABASE_URL   database URL (default sqlite:./hellojohn.db)
  HELLOJOHN_MASTER_KEY     32 bytes, hex or base64 (generate: hellojohn-server master-key)
  HELLOJOHN_PUBLIC_URL     origin clients use; tokens' iss is derived from it
  HELLOJOHN_TRUST_PROXY    "true" to take client IPs for audit events from X-Forwarded-For
  HOST, PORT               where to listen

Connection limits (start and dev; flag or variable, values in ms unless noted):
  --body-limit, HELLOJOHN_BODY_LIMIT                     largest request body in bytes (65536)
  --headers-timeout-ms, HELLOJOHN_HEADERS_TIMEOUT_MS     time to send request headers (10000)
  --request-timeout-ms, HELLOJOHN_REQUEST_TIMEOUT_MS     time to send a whole request (30000)
  --idle-timeout-ms, HELLOJOHN_IDLE_TIMEOUT_MS           a silent socket is closed after (60000)
  --keep-alive-timeout-ms, HELLOJOHN_KEEP_ALIVE_TIMEOUT_MS
                                                         idle keep-alive connection lifetime (72000)
  --max-connections, HELLOJOHN_MAX_CONNECTIONS           open connections at once (10000)
`;

/** Connection-limit flags, their environment variables and the createServer() options they set. */
const LIMIT_FLAGS = [
  ["body-limit", "HELLOJOHN_BODY_LIMIT", "bodyLimit"],
  ["headers-timeout-ms", "HELLOJOHN_HEADERS_TIMEOUT_MS", "headersTimeoutMs"],
  ["request-timeout-ms", "HELLOJOHN_REQUEST_TIMEOUT_MS", "requestTimeoutMs"],
  ["idle-timeout-ms", "HELLOJOHN_IDLE_TIMEOUT_MS", "idleTimeoutMs"],
  ["keep-alive-timeout-ms", "HELLOJOHN_KEEP_ALIVE_TIMEOUT_MS", "keepAliveTimeoutMs"],
  ["max-connections", "HELLOJOHN_MAX_CONNECTIONS", "maxConnections"],
] as const;

const options = {
  help: { type: "boolean", short: "h" },
  version: { type: "boolean", short: "v" },
  host: { type: "string" },
  port: { type: "string" },
  "database-url": { type: "string" },
  "master-key": { type: "string" },
  "public-url": { type: "string" },
  "log-level": { type: "string" },
  "data-dir": { type: "string" },
  name: { type: "string" },
  tenant: { type: "string" },
  key: { type: "string" },
  "body-limit": { type: "string" },
  "headers-timeout-ms": { type: "string" },
  "request-timeout-ms": { type: "string" },
  "idle-timeout-ms": { type: "string" },
  "keep-alive-timeout-ms": { type: "string" },
  "max-connections": { type: "string" },
} as const;

class UsageError extends Error {}

type Flags = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>["values"];

function need(value: string | undefined, what: string): string {
  if (value === undefined || value === "") throw new UsageError(`Missing ${what}`);
  return value;
}

function port(flags: Flags, fallback: number): number {
  const raw = flags.port ?? process.env.PORT;
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw new UsageError(`--port must be 0-65535, got ${raw}`);
  return value;
}

/** The connection limits given as flags or variables, checked. */
function connectionLimits(flags: Flags): Partial<Record<(typeof LIMIT_FLAGS)[number][2], number>> {
  const out: Partial<Record<(typeof LIMIT_FLAGS)[number][2], number>> = {};
  for (const [flag, variable, option] of LIMIT_FLAGS) {
    const raw = flags[flag] ?? process.env[variable];
    if (raw === undefined || raw === "") continue;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${flag} (${variable}) must be a positive integer, got ${raw}`);
    out[option] = value;
  }
  return out;
}

function serverConfig(flags: Flags) {
  return {
    databaseUrl: flags["database-url"] ?? process.env.HELLOJOHN_DATABASE_URL ?? "sqlite:./hellojohn.db",
    masterKey: need(flags["master-key"] ?? process.env.HELLOJOHN_MASTER_KEY, "master key: pass --master-key or set HELLOJOHN_MASTER_KEY"),
    publicUrl: flags["public-url"] ?? process.env.HELLOJOHN_PUBLIC_URL,
    ...connectionLimits(flags),
  };
}

async function withServer<T>(flags: Flags, work: (server: HelloJohnServer) => Promise<T>): Promise<T> {
  const server = await createServer(serverConfig(flags));
  try {
    return await work(server);
  } finally {
    await server.close();
  }
}

function shutdownOn(server: HelloJohnServer): void {
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      void server.close().then(() => process.exit(0));
    });
  }
}

async function dev(flags: Flags): Promise<void> {
  const dev = await startDevServer({
    dataDir: flags["data-dir"],
    host: flags.host,
    port: port(flags, 8787),
    logLevel: flags["log-level"],
    serverOptions: connectionLimits(flags),
  });
  shutdownOn(dev.server);
  const lines = Object.entries(dev.env).map(([name, value]) => `${name}=${value}`).join("\n");
  process.stdout.write(`HelloJohn dev server listening on ${dev.url} (data in ${dev.dataDir})\n\n${lines}\n\nPaste these into your app's environment. Press Ctrl+C to stop.\n`);
}

async function start(flags: Flags): Promise<void> {
  const server = await createServer({ ...serverConfig(flags), logger: { level: flags["log-level"] ?? "info" }, trustProxy: process.env.HELLOJOHN_TRUST_PROXY === "true" });
  const url = await server.listen({ host: flags.host ?? process.env.HOST ?? "127.0.0.1", port: port(flags, 8787) });
  shutdownOn(server);
  process.stdout.write(`HelloJohn listening on ${url}\n`);
}

async function main(argv: string[]): Promise<void> {
  const { values: flags, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, sub] = positionals;
  if (flags.version === true) return void process.stdout.write(`${VERSION}\n`);
  if (flags.help === true || command === undefined || command === "help") return void process.stdout.write(HELP);
  switch (`${command} ${sub ?? ""}`.trim()) {
    case "dev":
      return dev(flags);
    case "start":
      return start(flags);
    case "master-key":
      return void process.stdout.write(`${MasterKey.generate()}\n`);
    case "tenant create":
      return withServer(flags, async (server) => {
        const tenant = await server.tenants.createTenant(need(flags.name, "--name"));
        process.stdout.write(`${tenant.id}\n`);
      });
    case "tenant list":
      return withServer(flags, async (server) => {
        for (const t of await server.tenants.listTenants()) process.stdout.write(`${t.id}\t${t.name}\t${new Date(t.created_at).toISOString()}\n`);
      });
    case "key create":
      return withServer(flags, async (server) => {
        const key = await server.tenants.createApiKey(need(flags.tenant, "--tenant"), flags.name ?? "default");
        process.stdout.write(`key ID:     ${key.keyId}\nsecret key: ${key.secretKey}\n(store it now: it is not shown again)\n`);
      });
    case "key list":
      return withServer(flags, async (server) => {
        for (const k of await server.tenants.listApiKeys(need(flags.tenant, "--tenant"))) {
          process.stdout.write(`${k.id}\t${k.name}\t${k.revoked_at === null ? "active" : "revoked"}\n`);
        }
      });
    case "key revoke":
      return withServer(flags, async (server) => {
        const done = await server.tenants.revokeApiKey(need(flags.tenant, "--tenant"), need(flags.key, "--key"));
        process.stdout.write(done ? "revoked\n" : "no such active key\n");
        if (!done) process.exitCode = 1;
      });
    default:
      throw new UsageError(`Unknown command "${positionals.join(" ")}"`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const usage = error instanceof UsageError || (error as { code?: string }).code?.startsWith("ERR_PARSE_ARGS");
  process.stderr.write(`hellojohn-server: ${(error as Error).message}\n${usage ? "Run hellojohn-server --help for usage.\n" : ""}`);
  process.exit(usage ? 2 : 1);
});
