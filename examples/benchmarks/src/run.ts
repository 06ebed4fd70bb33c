/**
 * pnpm bench (from the repository root) — prints, never asserts.
 * For Express, Fastify and NestJS: requests per second of the same app without
 * HelloJohn, with HelloJohn verifying a bearer token on every request, and with
 * the route also requiring the `admin` organization role (`requireAuth({ role })`,
 * `@Roles()`); and, as a reference, with one empty step of the framework's own
 * (an Express middleware, a Fastify hook, a NestJS guard that admits everything). The tokens are drawn from a pool of 1,000 distinct users'
 * sessions, each opened in an organization where the user is an admin.
 *
 * The machine is a virtual one whose speed drifts by tens of per cent over
 * seconds, more than the differences measured here. So every variant of a
 * framework runs at once, each in its own process pinned to the same core, and
 * the load moves between them in short bursts (1 s each, the order rotating
 * every round) for many rounds: a slow spell falls on all of them alike. Each
 * variant's totals over all its bursts give its throughput, and its process's
 * CPU time (user + system, from /proc) divided by the requests it answered gives
 * its cost per request, the steadier of the two.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startTestServer } from "@hellojohn/server/testing";
import { adminTokens, listeningPort } from "./fixture.js";

const USERS = Number(process.env.BENCH_USERS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 20);

const PINNED = cpus().length >= 2 && spawnSync("taskset", ["-cp", "0", String(process.pid)], { stdio: "ignore" }).status === 0;

const hj = await startTestServer();
const tokens = await adminTokens(hj, USERS, "bench");

async function start(framework: string, mode: string): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_PROFILE=<dir>: each app writes a V8 CPU profile there when it stops (what the numbers alone cannot say).
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}/${framework}-${mode}`] : [];
  // BENCH_NODE_ARGS: more Node.js flags for the apps (e.g. --perf-basic-prof, to read them with perf).
  const extra = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((flag) => flag !== "");
  const args = [...profile, ...extra, "--import", "tsx", fileURLToPath(new URL("./serve.ts", import.meta.url)), framework, mode];
  // The app gets one core to itself and the load generator the other, so neither steals from the other.
  const [command, argv] = PINNED ? ["taskset", ["-c", "1", process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv as string[], {
    env: { ...process.env, ...hj.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return { child, port: await listeningPort(child, `${framework} ${mode}`) };
}

/** A process's CPU time so far, in seconds: user and system, or null where /proc is not there. */
function cpuSeconds(pid: number | undefined): { user: number; system: number } | null {
  if (pid === undefined) return null;
  try {
    // Fields after the parenthesized command name: state is field 3, utime 14 and stime 15 (clock ticks, 100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return null;
  }
}

async function load(port: number, seconds: number): Promise<{ requests: number; seconds: number; non2xx: number }> {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/ping`,
    connections: 32,
    duration: seconds,
    requests: [
      {
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` } }),
      },
    ],
  });
  return { requests: result.requests.total, seconds: result.duration, non2xx: result.non2xx + result.errors };
}

interface Totals {
  requests: number;
  seconds: number;
  /** The app's CPU seconds over its bursts, or null without /proc. */
  cpu: number | null;
  /** Of which in the kernel (system time). */
  system: number;
  non2xx: number;
  /** Requests per second of each burst, to show the spread. */
  bursts: number[];
}

console.log(
  `Throughput without HelloJohn, with it, and with a required role (and, for reference, one empty middleware, hook or guard), ${USERS} distinct users' tokens, ` +
    `every variant running at once, ${ROUNDS} rounds of ${SECONDS} s bursts${PINNED ? ", the apps pinned to one core and the load generator to the other" : ""}\n`,
);
const MODES = ["bare", "hellojohn", "role", "guard"] as const;
type Mode = (typeof MODES)[number];
// The reference: what one empty middleware, hook or guard costs in the framework before it does any work.
const modesOf = (_framework: string): readonly Mode[] => MODES;
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
for (const framework of (process.env.BENCH_FRAMEWORKS ?? "express,fastify,nestjs").split(",")) {
  const modes = modesOf(framework);
  const apps = await Promise.all(modes.map((mode) => start(framework, mode)));
  try {
    // Warm-up: JIT, connections, and the first sight of every token, for each variant.
    for (const { port } of apps) await load(port, 3);
    const totals = modes.map((): Totals => ({ requests: 0, seconds: 0, cpu: 0, system: 0, non2xx: 0, bursts: [] }));
    for (let round = 0; round < ROUNDS; round++) {
      // The order rotates each round so that no variant always follows the same one.
      for (let i = 0; i < modes.length; i++) {
        const index = (round + i) % modes.length;
        const { child, port } = apps[index] as { child: ChildProcess; port: number };
        const total = totals[index] as Totals;
        const before = cpuSeconds(child.pid);
        const burst = await load(port, SECONDS);
        const after = cpuSeconds(child.pid);
        total.requests += burst.requests;
        total.seconds += burst.seconds;
        total.non2xx += burst.non2xx;
        total.bursts.push(burst.requests / burst.seconds);
        if (before === null || after === null || total.cpu === null) total.cpu = null;
        else {
          total.cpu += after.user + after.system - before.user - before.system;
          total.system += after.system - before.system;
        }
      }
    }
    const of = (mode: Mode) => totals[modes.indexOf(mode)] as Totals;
    const rps = (t: Totals) => t.requests / t.seconds;
    const micros = (t: Totals) => (t.cpu === null ? null : (t.cpu * 1e6) / t.requests);
    const bare = of("bare");
    const line = (label: string, t: Totals) => {
      const cost = micros(t);
      const bareCost = micros(bare);
      const spread = `bursts ${Math.min(...t.bursts).toFixed(0)}–${Math.max(...t.bursts).toFixed(0)}`;
      const ratio = t === bare ? "" : ` (${percent(rps(t) / rps(bare))} of bare)`;
      const cpu =
        cost === null || bareCost === null
          ? ""
          : `   ${cost.toFixed(1)} µs CPU/request, ${((t.system * 1e6) / t.requests).toFixed(1)} of it in the kernel${t === bare ? "" : ` (${percent(bareCost / cost)} of bare's throughput at equal CPU)`}`;
      const failed = t !== bare && modes[totals.indexOf(t)] !== "guard" && t.non2xx > 0 ? `   ${t.non2xx} non-2xx!` : "";
      return `  ${label.padEnd(28)}${rps(t).toFixed(0).padStart(7)} req/s${ratio}, ${spread}${cpu}${failed}`;
    };
    console.log(`${framework}`);
    console.log(line("bare", bare));
    console.log(
      line(framework === "nestjs" ? "an empty guard (reference)" : framework === "fastify" ? "an empty hook (reference)" : "an empty middleware (reference)", of("guard")),
    );
    console.log(line("with HelloJohn", of("hellojohn")));
    console.log(line("with requireAuth({ role })", of("role")));
    console.log("  target: with requireAuth({ role }) ≥ 90 % of bare");
  } finally {
    for (const { child } of apps) child.kill("SIGTERM");
  }
}
await hj.close();
