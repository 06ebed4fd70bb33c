#!/usr/bin/env node
import { userInfo } from "node:os";
import { parseArgs } from "node:util";
import { createServer, VERSION, type HelloJohnServer } from "./app.js";
import { MasterKey } from "./crypto/master-key.js";
import { createConsoleLoginLink } from "./console/login-link.js";
import { startDevServer } from "./dev-server.js";
import type { ImportSource } from "./import/import-record.js";
import { IMPORT_SOURCES } from "./import/readers.js";
import { localTarget, remoteTarget, type TransferTarget } from "./cli/transfer-target.js";
import { importUsers } from "./cli/users-import.command.js";
import { exportUsers } from "./cli/users-export.command.js";
import { parseDelaySpec, parseHashingSpec, parseRateSpec, parseThrottleSpec } from "./limits/limit-spec.js";
import type { LimitsOptions } from "./limits/limits-options.js";

const HELP = `hellojohn-server ${VERSION}: the HelloJohn Users API

Usage:
  hellojohn-server dev [--data-dir .hellojohn] [--port 8787] [limit options]
      Start locally with SQLite in the data folder. Creates a tenant and an API
      key on first run and prints the HELLOJOHN_* variables to use. Limits are
      the development ones (100 sign-ins per account and IP a minute, blocks of
      1-10 s, 100000 admin calls per 10 s) unless the options below set them.

  hellojohn-server start [--host 127.0.0.1] [--port 8787] [--database-url URL]
                         [--master-key KEY] [--public-url URL] [--log-level info]
                         [--redis-url URL] [--trust-proxy VALUE] [limit options]
                         [--allow-private-webhook-urls]
      Start for real. The database URL is sqlite:FILE or postgres://…
      (PostgreSQL for production and several instances). Webhook endpoint
      URLs that resolve to loopback, private or link-local addresses are
      refused unless --allow-private-webhook-urls is given.

  hellojohn-server console --tenant ID [--operator NAME] [--public-url URL]
      Print a one-time login link (valid 10 minutes) to the admin console at
      /console for the tenant. The operator name (default: your OS user) is the
      actor of every console action in the audit log. \`start\` serves the
      console with --console (or HELLOJOHN_CONSOLE=true); \`dev\` always does.

  hellojohn-server tenant create --name NAME       Create a tenant (prints its ID)
  hellojohn-server tenant list                     List tenants
  hellojohn-server key create --tenant ID [--name NAME]
                                                   Create a secret key (shown once)
  hellojohn-server key list --tenant ID            List a tenant's keys
  hellojohn-server key revoke --tenant ID --key KEY_ID

  hellojohn-server users import --from auth0|clerk|firebase|supabase|hellojohn FILE
                         [--batch-size 500] [--report FILE.refused.ndjson] [--restart]
                         [--firebase-signer-key B64 --firebase-salt-separator B64
                          --firebase-rounds 8 --firebase-mem-cost 14]
      Import users from another provider's export, keeping their password hashes.
      Refused rows go to the report file; run the same command again after an
      interruption (Ctrl-C, a crash) to resume without duplicating anyone.
  hellojohn-server users export FILE [--with-password-hashes] [--batch-size 1000]
                         [--checkpoint-interval 1] [--restart]
      Every user with their memberships, one JSON object a line, newest first.
      Between pages, at most every --checkpoint-interval seconds, FILE is
      flushed to disk and a checkpoint saved (FILE.export-state.json). After an
      interruption (Ctrl-C, a crash) run the same command again: it cuts FILE
      back to the checkpoint (a torn last line included) and goes on, so every
      user is in FILE once, in order. A run with other flags (tenant, target,
      --with-password-hashes) is refused; --restart writes FILE from the start.
      The checkpoint is removed when the export is complete.

  Both work against the database (--database-url, --master-key, --tenant ID) or,
  with --api-url URL (or HELLOJOHN_API_URL), against a running server through
  the SDK with HELLOJOHN_TENANT_ID and HELLOJOHN_SECRET_KEY. Progress is a bar on
  a terminal and a line every --progress-interval seconds (5) otherwise.

Limit options (the default is in brackets; each has an environment variable):
  --sign-in-limit-per-account-ip SPEC    HELLOJOHN_SIGN_IN_LIMIT_PER_ACCOUNT_IP  [5/15m,30s..1h]
      Sign-in attempts per (account, client IP): 5 attempts in 15 minutes,
      then 429 with Retry-After for 30 s, doubling at each repeat within a day
      up to 1 h. A successful sign-in resets the pair. Counted whether or not
      the account exists, before any password is hashed.
  --sign-in-limit-per-ip SPEC            HELLOJOHN_SIGN_IN_LIMIT_PER_IP          [50/15m,5m..1h]
      Failed sign-ins per client IP over all accounts, same form.
  --admin-api-limit REQUESTS/WINDOW      HELLOJOHN_ADMIN_API_LIMIT               [1000/10s]
      Admin API calls per secret key; 429 with Retry-After, RateLimit and
      RateLimit-Policy headers past it.
  --hashing-limit CONCURRENCY,QUEUE      HELLOJOHN_HASHING_LIMIT                 [cores-1 (1-4),32]
      Argon2 computations at once and how many may wait; past that, 503 with
      Retry-After at once.
  --throttled-sign-in-delay-ms MS        HELLOJOHN_THROTTLED_SIGN_IN_DELAY_MS    [1000; 0 in dev]
      Hold a throttled sign-in's 429 for half to all of this (never past its
      Retry-After), so a flood that waits for answers costs timers, not CPU.
  --redis-url URL                        HELLOJOHN_REDIS_URL
      Share every limit between instances through Redis. Without it limits
      live in each instance's memory. If Redis becomes unreachable the server
      keeps serving: sign-in limits fall back to memory (strict, per instance),
      admin API limits let calls through; the log and /health say so.
  --trust-proxy VALUE                    HELLOJOHN_TRUST_PROXY
      Take the client IP (audit, per-IP limits) from X-Forwarded-For: "true"
      trusts one proxy hop, a number that many hops, or a comma-separated list
      of proxy addresses or CIDRs. Only behind a proxy that sets the header.

Every option can come from the environment instead:
  HELLOJOHN_DATABASE_URL   database URL (default sqlite:./hellojohn.db)
  HELLOJOHN_MASTER_KEY     32 bytes, hex or base64 (generate: hellojohn-server master-key)
  HELLOJOHN_PUBLIC_URL     origin clients use; tokens' iss is derived from it
  HELLOJOHN_TRUST_PROXY    see --trust-proxy
  HELLOJOHN_REDIS_URL      see --redis-url
  HELLOJOHN_ALLOW_PRIVATE_WEBHOOK_URLS  "true": same as --allow-private-webhook-urls
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
  operator: { type: "string" },
  console: { type: "boolean" },
  "allow-private-webhook-urls": { type: "boolean" },
  "body-limit": { type: "string" },
  "headers-timeout-ms": { type: "string" },
  "request-timeout-ms": { type: "string" },
  "idle-timeout-ms": { type: "string" },
  "keep-alive-timeout-ms": { type: "string" },
  "max-connections": { type: "string" },
  from: { type: "string" },
  "batch-size": { type: "string" },
  report: { type: "string" },
  restart: { type: "boolean" },
  "api-url": { type: "string" },
  "with-password-hashes": { type: "boolean" },
  "progress-interval": { type: "string" },
  "checkpoint-interval": { type: "string" },
  "firebase-signer-key": { type: "string" },
  "firebase-salt-separator": { type: "string" },
  "firebase-rounds": { type: "string" },
  "firebase-mem-cost": { type: "string" },
  "redis-url": { type: "string" },
  "trust-proxy": { type: "string" },
  "sign-in-limit-per-account-ip": { type: "string" },
  "sign-in-limit-per-ip": { type: "string" },
  "admin-api-limit": { type: "string" },
  "hashing-limit": { type: "string" },
  "throttled-sign-in-delay-ms": { type: "string" },
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

/** A limit option from its flag or environment variable, parsed; a malformed one is a usage error naming it. */
function limitOption<T>(flags: Flags, flag: keyof Flags & string, variable: string, parse: (spec: string, what: string) => T): T | undefined {
  const raw = (flags[flag] as string | undefined) ?? process.env[variable];
  if (raw === undefined || raw === "") return undefined;
  try {
    return parse(raw, `--${flag} (${variable})`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function limitsConfig(flags: Flags, preset: "production" | "development"): LimitsOptions {
  return {
    preset,
    signInPerAccountAndIp: limitOption(flags, "sign-in-limit-per-account-ip", "HELLOJOHN_SIGN_IN_LIMIT_PER_ACCOUNT_IP", parseThrottleSpec),
    signInPerIp: limitOption(flags, "sign-in-limit-per-ip", "HELLOJOHN_SIGN_IN_LIMIT_PER_IP", parseThrottleSpec),
    adminApi: limitOption(flags, "admin-api-limit", "HELLOJOHN_ADMIN_API_LIMIT", parseRateSpec),
    hashing: limitOption(flags, "hashing-limit", "HELLOJOHN_HASHING_LIMIT", parseHashingSpec),
    throttledSignInDelayMs: limitOption(flags, "throttled-sign-in-delay-ms", "HELLOJOHN_THROTTLED_SIGN_IN_DELAY_MS", parseDelaySpec),
  };
}

/** `"true"` → one hop, a number → that many hops, anything else → a list of proxy addresses or CIDRs. */
function trustProxy(flags: Flags): boolean | number | string {
  const raw = (flags["trust-proxy"] ?? process.env.HELLOJOHN_TRUST_PROXY ?? "").trim();
  if (raw === "" || raw === "false") return false;
  if (raw === "true") return true;
  return /^\d+$/.test(raw) ? Number(raw) : raw;
}

async function withServer<T>(flags: Flags, work: (server: HelloJohnServer) => Promise<T>): Promise<T> {
  // Administrative commands leave webhook delivery to the running servers.
  const server = await createServer({ ...serverConfig(flags), webhooks: { deliver: false } });
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
    serverOptions: {
      ...connectionLimits(flags),
      limits: limitsConfig(flags, "development"),
      redisUrl: flags["redis-url"] ?? process.env.HELLOJOHN_REDIS_URL,
      trustProxy: trustProxy(flags),
    },
  });
  shutdownOn(dev.server);
  const lines = Object.entries(dev.env)
    .map(([name, value]) => `${name}=${value}`)
    .join("\n");
  process.stdout.write(
    `HelloJohn dev server listening on ${dev.url} (data in ${dev.dataDir})\n\n${lines}\n\nPaste these into your app's environment. Press Ctrl+C to stop.\n\n` +
      `Admin console (a one-time login link, valid 10 minutes; each start prints a new one):\n${dev.consoleLoginUrl}\n`,
  );
}

async function start(flags: Flags): Promise<void> {
  const server = await createServer({
    ...serverConfig(flags),
    logger: { level: flags["log-level"] ?? "info" },
    trustProxy: trustProxy(flags),
    redisUrl: flags["redis-url"] ?? process.env.HELLOJOHN_REDIS_URL,
    limits: limitsConfig(flags, "production"),
    console: flags.console === true || process.env.HELLOJOHN_CONSOLE === "true",
    webhooks: { allowPrivateNetworks: flags["allow-private-webhook-urls"] === true || process.env.HELLOJOHN_ALLOW_PRIVATE_WEBHOOK_URLS === "true" },
  });
  const url = await server.listen({ host: flags.host ?? process.env.HOST ?? "127.0.0.1", port: port(flags, 8787) });
  shutdownOn(server);
  process.stdout.write(`HelloJohn listening on ${url}\n`);
}

function positiveInt(flags: Flags, flag: "batch-size" | "firebase-rounds" | "firebase-mem-cost", fallback: number): number {
  const raw = flags[flag];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new UsageError(`--${flag} must be a positive integer, got ${raw}`);
  return value;
}

/** The database (with --tenant) or, given --api-url, a server through the SDK. */
async function transferTarget(flags: Flags): Promise<TransferTarget> {
  const apiUrl = flags["api-url"] ?? process.env.HELLOJOHN_API_URL;
  const tenantId = need(flags.tenant ?? process.env.HELLOJOHN_TENANT_ID, "--tenant (or HELLOJOHN_TENANT_ID)");
  if (apiUrl !== undefined && apiUrl !== "") {
    return remoteTarget({ baseUrl: apiUrl, tenantId, secretKey: need(process.env.HELLOJOHN_SECRET_KEY, "HELLOJOHN_SECRET_KEY (with --api-url)") });
  }
  return localTarget(serverConfig(flags), tenantId);
}

/** Ctrl-C (or SIGTERM) once: finish the batch in flight, save the position, stop. Twice: stop now. */
function stopOnSignals(): { stopped: boolean } {
  const signal = { stopped: false };
  for (const name of ["SIGINT", "SIGTERM"] as const) {
    process.on(name, () => {
      if (signal.stopped) process.exit(130);
      signal.stopped = true;
      process.stderr.write("\nStopping after the batch in flight (again to stop at once)…\n");
    });
  }
  return signal;
}

/** A flag in seconds (0 or more), in milliseconds. */
function seconds(flags: Flags, flag: "checkpoint-interval", fallback: number): number {
  const raw = flags[flag];
  if (raw === undefined) return fallback * 1000;
  const value = Number(raw);
  if (raw.trim() === "" || !Number.isFinite(value) || value < 0) throw new UsageError(`--${flag} must be a number of seconds, got ${raw}`);
  return value * 1000;
}

function progressInterval(flags: Flags): number {
  const raw = flags["progress-interval"];
  if (raw === undefined) return 5000;
  const seconds = Number(raw);
  if (!Number.isFinite(seconds) || seconds < 0) throw new UsageError(`--progress-interval must be a number of seconds, got ${raw}`);
  return seconds * 1000;
}

async function usersImport(flags: Flags, file: string | undefined): Promise<void> {
  const source = need(flags.from, "--from (auth0, clerk, firebase, supabase or hellojohn)") as ImportSource;
  if (!IMPORT_SOURCES.includes(source)) throw new UsageError(`--from must be one of ${IMPORT_SOURCES.join(", ")}, got ${source}`);
  const path = need(file, "FILE to import");
  const signerKey = flags["firebase-signer-key"];
  const firebase =
    signerKey === undefined
      ? undefined
      : {
          signerKey,
          saltSeparator: need(flags["firebase-salt-separator"], "--firebase-salt-separator (with --firebase-signer-key)"),
          rounds: positiveInt(flags, "firebase-rounds", 8),
          memCost: positiveInt(flags, "firebase-mem-cost", 14),
        };
  const stopSignal = stopOnSignals();
  const target = await transferTarget(flags);
  try {
    const summary = await importUsers({
      source,
      file: path,
      target,
      reader: { firebase },
      batchSize: positiveInt(flags, "batch-size", 500),
      reportFile: flags.report,
      restart: flags.restart === true,
      progressIntervalMs: progressInterval(flags),
      stopSignal,
    });
    const counts = `${summary.created.toLocaleString("en-US")} created, ${summary.skipped.toLocaleString("en-US")} skipped (already there), ${summary.refused.toLocaleString("en-US")} refused`;
    if (summary.interrupted) {
      process.stdout.write(`Interrupted after record ${summary.records.toLocaleString("en-US")}: ${counts}. Run the same command again to resume.\n`);
      process.exitCode = 130;
      return;
    }
    process.stdout.write(`Imported ${summary.records.toLocaleString("en-US")} records into ${target.description}: ${counts}.\n`);
    if (summary.refused > 0) process.stdout.write(`Refused rows, with the reason and field: ${summary.reportFile}\n`);
  } finally {
    await target.close();
  }
}

async function usersExport(flags: Flags, file: string | undefined): Promise<void> {
  const path = need(file, "FILE to export to");
  const pageSize = flags["batch-size"] === undefined ? undefined : positiveInt(flags, "batch-size", 1000);
  const stopSignal = stopOnSignals();
  const target = await transferTarget(flags);
  try {
    const result = await exportUsers({
      file: path,
      target,
      withPasswordHashes: flags["with-password-hashes"] === true,
      pageSize,
      restart: flags.restart === true,
      checkpointIntervalMs: seconds(flags, "checkpoint-interval", 1),
      progressIntervalMs: progressInterval(flags),
      stopSignal,
    });
    if (result.interrupted) {
      process.stdout.write(`Interrupted after user ${result.users.toLocaleString("en-US")}: ${path} is incomplete. Run the same command again to resume.\n`);
      process.exitCode = 130;
      return;
    }
    const resumed = result.resumedFrom > 0 ? ` (${result.resumedFrom.toLocaleString("en-US")} of them before the interruption)` : "";
    process.stdout.write(`Exported ${result.users.toLocaleString("en-US")} users${resumed} from ${target.description} to ${path}.\n`);
  } finally {
    await target.close();
  }
}

async function main(argv: string[]): Promise<void> {
  const { values: flags, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, sub] = positionals;
  if (flags.version === true) return void process.stdout.write(`${VERSION}\n`);
  if (flags.help === true || command === undefined || command === "help") return void process.stdout.write(HELP);
  switch (`${command} ${sub ?? ""}`.trim()) {
    case "users import":
      return usersImport(flags, positionals[2]);
    case "users export":
      return usersExport(flags, positionals[2]);
    case "dev":
      return dev(flags);
    case "start":
      return start(flags);
    case "console":
      return withServer(flags, async (server) => {
        const baseUrl = flags["public-url"] ?? process.env.HELLOJOHN_PUBLIC_URL ?? `http://${flags.host ?? process.env.HOST ?? "127.0.0.1"}:${port(flags, 8787)}`;
        const operator = flags.operator ?? userInfo().username;
        const link = await createConsoleLoginLink(server, { tenantId: need(flags.tenant, "--tenant"), operator, baseUrl });
        process.stdout.write(`${link.url}\n(one-time login link for ${operator}, valid until ${link.expiresAt.toISOString()})\n`);
      });
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
