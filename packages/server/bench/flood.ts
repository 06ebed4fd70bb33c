// `pnpm bench` (or `pnpm --filter @hellojohn/server bench`): the sign-in flood of issue 10, measured side by side.
// For each setup: a quiet phase (the genuine user signing in from 127.0.0.2 and an admin client calling users.get),
// then the same with 50 concurrent wrong-password sign-ins against that user's account from 127.0.0.1 for
// FLOOD_SECONDS (default 20). Prints ratios against the targets; asserts nothing.
import { fork, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { Agent, request } from "node:http";
import { performance } from "node:perf_hooks";
import { HelloJohn } from "@hellojohn/node";
import type { LimitsOptions } from "../src/index.js";
import { backends } from "../test/backends.js";
import { REDIS_URL, redisAvailable } from "../test/redis.js";

const FLOOD_SECONDS = Number(process.env.FLOOD_SECONDS ?? 20);
const QUIET_SECONDS = Number(process.env.QUIET_SECONDS ?? 10);
const ATTACKERS = 50;
const PASSWORD = "Genuine-Passw0rd!";

interface Ready {
  url: string;
  tenantId: string;
  secretKey: string;
}
interface Stats {
  hashes: number;
  auditRows: number;
}

function post(agent: Agent, url: string, body: unknown): Promise<number> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(payload) } }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", reject);
    req.end(payload);
  });
}

const percentile = (values: number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
};

function ask<T>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve) => {
    const onMessage = (message: { type: string } & T): void => {
      if (message.type !== type) return;
      child.off("message", onMessage);
      resolve(message);
    };
    child.on("message", onMessage);
    if (type !== "ready") child.send({ type });
  });
}

interface PhaseResult {
  signInMs: number[];
  signInStatuses: number[];
  getMs: number[];
  flood: number[];
}

async function phase(ready: Ready, email: string, userId: string, seconds: number, flood: boolean): Promise<PhaseResult> {
  const signInUrl = `${ready.url}/v1/tenants/${ready.tenantId}/auth/sign-in`;
  const genuineAgent = new Agent({ keepAlive: true, maxSockets: 1, localAddress: "127.0.0.2" });
  const attackerAgent = new Agent({ keepAlive: true, maxSockets: ATTACKERS, localAddress: "127.0.0.1" });
  const admin = new HelloJohn({ tenantId: ready.tenantId, secretKey: ready.secretKey, baseUrl: ready.url, maxRetries: 0 });
  const until = performance.now() + seconds * 1000;
  const result: PhaseResult = { signInMs: [], signInStatuses: [], getMs: [], flood: [] };
  const genuine = async (): Promise<void> => {
    while (performance.now() < until) {
      const start = performance.now();
      result.signInStatuses.push(await post(genuineAgent, signInUrl, { email, password: PASSWORD }));
      result.signInMs.push(performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const adminClient = async (): Promise<void> => {
    while (performance.now() < until) {
      const start = performance.now();
      await admin.users.get(userId);
      result.getMs.push(performance.now() - start);
      // 50 calls a second: well inside the default admin limit (1,000 per 10 s), which is not what is measured here.
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const attacker = async (): Promise<void> => {
    for (let i = 0; performance.now() < until; i++) result.flood.push(await post(attackerAgent, signInUrl, { email, password: `guess-${i}-${randomBytes(4).toString("hex")}` }));
  };
  await Promise.all([genuine(), adminClient(), ...(flood ? Array.from({ length: ATTACKERS }, attacker) : [])]);
  genuineAgent.destroy();
  attackerAgent.destroy();
  return result;
}

interface Setup {
  name: string;
  databaseUrl: () => Promise<string>;
  drop: (url: string) => Promise<void>;
  redisUrl?: string;
  limits: LimitsOptions;
}

const UNLIMITED: LimitsOptions = {
  signInPerAccountAndIp: { attempts: 1_000_000 },
  signInPerIp: { attempts: 1_000_000 },
  hashing: { concurrency: 4, queue: 100_000 },
};

async function run(setup: Setup): Promise<string[]> {
  const databaseUrl = await setup.databaseUrl();
  const config = { databaseUrl, redisUrl: setup.redisUrl, redisKeyPrefix: `hellojohn-bench:${randomBytes(4).toString("hex")}:`, limits: setup.limits };
  const child = fork(new URL("./flood-server.ts", import.meta.url).pathname, [], { execArgv: ["--import", "tsx"], env: { ...process.env, FLOOD_CONFIG: JSON.stringify(config) } });
  try {
    const ready = await ask<Ready>(child, "ready");
    const admin = new HelloJohn({ tenantId: ready.tenantId, secretKey: ready.secretKey, baseUrl: ready.url });
    const email = `owner.${randomBytes(3).toString("hex")}@example.com`;
    const user = await admin.users.create({ email, password: PASSWORD });
    const quiet = await phase(ready, email, user.id, QUIET_SECONDS, false);
    const before = await ask<Stats>(child, "stats");
    const loud = await phase(ready, email, user.id, FLOOD_SECONDS, true);
    const after = await ask<Stats>(child, "stats");

    const afterTen = loud.flood.slice(10);
    const throttled = afterTen.filter((s) => s === 429).length;
    const genuineSignIns = loud.signInStatuses.filter((s) => s === 200).length;
    const floodHashes = after.hashes - before.hashes - genuineSignIns;
    const count = (s: number): number => loud.flood.filter((x) => x === s).length;
    const ratio = (a: number, b: number): string => `${(a / b).toFixed(2)}×`;
    const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)} %`;
    const getP99Quiet = percentile(quiet.getMs, 99);
    const getP99Loud = percentile(loud.getMs, 99);
    const signInP50Quiet = percentile(quiet.signInMs, 50);
    const signInP50Loud = percentile(loud.signInMs, 50);
    return [
      `${setup.name}`,
      `  flood: ${loud.flood.length} attempts in ${FLOOD_SECONDS} s (${(loud.flood.length / FLOOD_SECONDS).toFixed(0)}/s): 401 × ${count(401)}, 429 × ${count(429)}, 503 × ${count(503)}, other × ${loud.flood.length - count(401) - count(429) - count(503)}`,
      `  after the first ten, answered 429:           ${pct(throttled, afterTen.length)}   (target ≥ 95 %); password hashes the flood caused: ${floodHashes}`,
      `  users.get p99 quiet → flood:               ${getP99Quiet.toFixed(1)} ms → ${getP99Loud.toFixed(1)} ms = ${ratio(getP99Loud, getP99Quiet)}   (target ≤ 1.5×; p50 ${percentile(quiet.getMs, 50).toFixed(1)} → ${percentile(loud.getMs, 50).toFixed(1)} ms, max ${Math.max(...loud.getMs).toFixed(0)} ms, n = ${quiet.getMs.length}/${loud.getMs.length})`,
      `  genuine sign-in p50 quiet → flood (127.0.0.2): ${signInP50Quiet.toFixed(1)} ms → ${signInP50Loud.toFixed(1)} ms = ${ratio(signInP50Loud, signInP50Quiet)}   (target ≤ 1.5×; ${genuineSignIns}/${loud.signInStatuses.length} succeeded during the flood)`,
      `  failed sign-in audit rows written:         ${after.auditRows - before.auditRows} during the flood, ${after.auditRows} in all   (target ≤ 10)`,
    ];
  } finally {
    child.send({ type: "close" });
    await new Promise((resolve) => child.once("exit", resolve));
    await setup.drop(databaseUrl);
  }
}

const dbs = await backends();
const sqlite = dbs.find((b) => b.name === "sqlite");
const postgres = dbs.find((b) => b.name === "postgres");
const withRedis = await redisAvailable();
const production: LimitsOptions = { preset: "production" };
const setups: Setup[] = [];
if (sqlite !== undefined)
  setups.push({ name: "SQLite, limits in memory (production defaults)", databaseUrl: () => sqlite.create(), drop: (u) => sqlite.drop(u), limits: production });
if (postgres !== undefined)
  setups.push({ name: "PostgreSQL, limits in memory (production defaults)", databaseUrl: () => postgres.create(), drop: (u) => postgres.drop(u), limits: production });
if (postgres !== undefined && withRedis) {
  setups.push({
    name: "PostgreSQL, limits in Redis (production defaults)",
    databaseUrl: () => postgres.create(),
    drop: (u) => postgres.drop(u),
    redisUrl: REDIS_URL,
    limits: production,
  });
}
if (sqlite !== undefined && process.env.FLOOD_REFERENCE !== "0") {
  setups.push({
    name: "Reference: SQLite with sign-in throttling and hashing admission control off (as before this change)",
    databaseUrl: () => sqlite.create(),
    drop: (u) => sqlite.drop(u),
    limits: UNLIMITED,
  });
}

console.log(`Sign-in flood: ${ATTACKERS} concurrent wrong-password sign-ins against one account from 127.0.0.1 for ${FLOOD_SECONDS} s,`);
console.log(`while its owner signs in from 127.0.0.2 (every 200 ms) and an admin client calls users.get; quiet phase ${QUIET_SECONDS} s. Argon2id at OWASP's cost.\n`);
for (const setup of setups) console.log(`${(await run(setup)).join("\n")}\n`);
