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
 * framework runs at once, each in its own processes pinned to the same core, and
 * the load moves between them in short bursts (1 s each, the order rotating
 * every round) for many rounds: a slow spell falls on all of them alike. And two
 * processes of the very same app can settle as much as a third apart for their
 * whole life (memory layout, the JIT's and the GC's early decisions), so each
 * variant runs as several processes (BENCH_REPLICAS, 3), as a JVM benchmark runs
 * several forks, and is judged on all of them together. Each variant's totals over
 * all its bursts give its throughput, and its processes' CPU time divided by the
 * requests they answered gives its cost per request, the steadier of the two.
 *
 * Then, per framework, the paired measurement: processes that each serve both a
 * bare route and the `requireAuth({ role })` route (`serve.ts <framework> paired`),
 * loaded one route at a time in alternating bursts. Between processes the cost
 * per request still spreads by a tenth or more, and in this measurement that
 * spread falls on both routes of a process alike and cancels out of the ratio,
 * which the separate processes above can only average away.
 * BENCH_PAIRED (16) processes, mounted bare-first and role-first in turn, for
 * BENCH_PAIRED_ROUNDS (12) rounds; BENCH_PARTS=separate or =paired runs one part.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startTestServer } from "@hellojohn/server/testing";
import { adminTokens, bearerRequests, listeningPort } from "./fixture.js";

const USERS = Number(process.env.BENCH_USERS ?? 1000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 1);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 12);
const REPLICAS = Number(process.env.BENCH_REPLICAS ?? 3);
const PAIRED = Number(process.env.BENCH_PAIRED ?? 16);
const PAIRED_ROUNDS = Number(process.env.BENCH_PAIRED_ROUNDS ?? 12);
const PARTS = (process.env.BENCH_PARTS ?? "separate,paired").split(",");

const PINNED = cpus().length >= 2 && spawnSync("taskset", ["-cp", "0", String(process.pid)], { stdio: "ignore" }).status === 0;

const hj = await startTestServer();
const sessions = await adminTokens(hj, USERS, "bench");
const tokens = sessions.tokens;

async function start(framework: string, mode: string, order?: string): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_PROFILE=<dir>: each app writes a V8 CPU profile there when it stops (what the numbers alone cannot say).
  const profile = process.env.BENCH_PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_PROFILE}/${framework}-${mode}`] : [];
  // BENCH_NODE_ARGS: more Node.js flags for the apps (e.g. --perf-basic-prof, to read them with perf).
  const extra = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter((flag) => flag !== "");
  const args = [...profile, ...extra, "--import", "tsx", fileURLToPath(new URL("./serve.ts", import.meta.url)), framework, mode, ...(order === undefined ? [] : [order])];
  // The app gets one core to itself and the load generator the other, so neither steals from the other.
  const [command, argv] = PINNED ? ["taskset", ["-c", "1", process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv as string[], {
    env: { ...process.env, ...hj.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return { child, port: await listeningPort(child, `${framework} ${mode}`) };
}

/**
 * A process's CPU time so far, in seconds: all of it, and the part spent in the
 * kernel; or null where /proc is not there. The total is the scheduler's own
 * nanosecond count summed over the process's threads (the JIT and GC helpers
 * run on the same pinned core); /proc/<pid>/stat's clock ticks split it.
 */
function cpuSeconds(pid: number | undefined): { total: number; system: number } | null {
  if (pid === undefined) return null;
  try {
    // Fields after the parenthesized command name: state is field 3, utime 14 and stime 15 (clock ticks, 100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    const user = Number(fields[11]) / 100;
    const system = Number(fields[12]) / 100;
    let nanoseconds = 0;
    try {
      // The first field of a thread's schedstat is the time it has run, in nanoseconds.
      for (const thread of readdirSync(`/proc/${pid}/task`)) nanoseconds += Number(readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      nanoseconds = 0;
    }
    return { total: nanoseconds > 0 ? nanoseconds / 1e9 : user + system, system };
  } catch {
    return null;
  }
}

async function load(port: number, seconds: number, path = "/ping"): Promise<{ requests: number; seconds: number; non2xx: number }> {
  const result = await autocannon({ url: `http://127.0.0.1:${port}${path}`, connections: 32, duration: seconds, requests: bearerRequests(tokens) });
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

const emptyTotals = (): Totals => ({ requests: 0, seconds: 0, cpu: 0, system: 0, non2xx: 0, bursts: [] });
/** CPU microseconds per request, or null without /proc. */
const micros = (t: Totals) => (t.cpu === null ? null : (t.cpu * 1e6) / t.requests);
const rps = (t: Totals) => t.requests / t.seconds;

/** One burst of `SECONDS` on `path` of an app, added to `total` with the CPU time the app spent on it. */
async function burstInto(total: Totals, { child, port }: { child: ChildProcess; port: number }, path?: string): Promise<void> {
  const before = cpuSeconds(child.pid);
  const burst = await load(port, SECONDS, path);
  const after = cpuSeconds(child.pid);
  total.requests += burst.requests;
  total.seconds += burst.seconds;
  total.non2xx += burst.non2xx;
  total.bursts.push(burst.requests / burst.seconds);
  if (before === null || after === null || total.cpu === null) total.cpu = null;
  else {
    total.cpu += after.total - before.total;
    total.system += after.system - before.system;
  }
}

/** Several processes' totals together: their requests, seconds and CPU time summed. */
function sumTotals(each: readonly Totals[]): Totals {
  const sum = emptyTotals();
  for (const t of each) {
    sum.requests += t.requests;
    sum.seconds += t.seconds;
    sum.cpu = sum.cpu === null || t.cpu === null ? null : sum.cpu + t.cpu;
    sum.system += t.system;
    sum.non2xx += t.non2xx;
    sum.bursts.push(...t.bursts);
  }
  return sum;
}

console.log(
  `Throughput without HelloJohn, with it, and with a required role (and, for reference, one empty middleware, hook or guard), ${USERS} distinct users' tokens${PINNED ? ", the apps pinned to one core and the load generator to the other" : ""}.\n` +
    (PARTS.includes("separate") ? `Separate processes: every variant running at once as ${REPLICAS} processes, ${ROUNDS} rounds of ${SECONDS} s bursts on each process.\n` : "") +
    (PARTS.includes("paired") && PAIRED > 0
      ? `Paired: ${PAIRED} processes each serving the bare and the role route, ${PAIRED_ROUNDS} rounds of a ${SECONDS} s burst on each route of each process.\n`
      : ""),
);
const MODES = ["bare", "hellojohn", "role", "guard"] as const;
type Mode = (typeof MODES)[number];
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
/** Every variant in processes of its own, run at once. */
async function separate(framework: string): Promise<void> {
  // Replicas interleaved (bare, hellojohn, role, guard, bare, …), so that a variant's processes are never neighbours in a round.
  const processes = Array.from({ length: REPLICAS }, () => MODES).flat();
  const apps = await Promise.all(processes.map((mode) => start(framework, mode)));
  try {
    // Warm-up: JIT, connections, and the first sight of every token, for each process.
    for (const { port } of apps) await load(port, 3);
    const totals = processes.map(emptyTotals);
    for (let round = 0; round < ROUNDS; round++) {
      // The order rotates each round so that no process always follows the same one.
      for (let i = 0; i < processes.length; i++) {
        const index = (round + i) % processes.length;
        await burstInto(totals[index] as Totals, apps[index] as { child: ChildProcess; port: number });
      }
    }
    // A variant's processes together.
    const of = (mode: Mode): Totals & { each: Totals[] } => {
      const each = totals.filter((_, index) => processes[index] === mode);
      return { ...sumTotals(each), each };
    };
    const bare = of("bare");
    const line = (mode: Mode, label: string) => {
      const t = of(mode);
      const cost = micros(t);
      const bareCost = micros(bare);
      const spread = `bursts ${Math.min(...t.bursts).toFixed(0)}–${Math.max(...t.bursts).toFixed(0)}`;
      const ratio = mode === "bare" ? "" : ` (${percent(rps(t) / rps(bare))} of bare)`;
      const perProcess = t.each.map((p) => micros(p)?.toFixed(0) ?? "?").join(" / ");
      const cpu =
        cost === null || bareCost === null
          ? ""
          : `\n${" ".repeat(30)}${cost.toFixed(1)} µs CPU/request (processes: ${perProcess}), ${((t.system * 1e6) / t.requests).toFixed(1)} of it in the kernel${mode === "bare" ? "" : `; ${percent(bareCost / cost)} of bare's throughput at equal CPU`}`;
      const failed = mode !== "bare" && mode !== "guard" && t.non2xx > 0 ? `   ${t.non2xx} non-2xx!` : "";
      return `  ${label.padEnd(28)}${rps(t).toFixed(0).padStart(7)} req/s${ratio}, ${spread}${failed}${cpu}`;
    };
    console.log(`${framework}, separate processes`);
    console.log(line("bare", "bare"));
    console.log(line("guard", framework === "nestjs" ? "an empty guard (reference)" : framework === "fastify" ? "an empty hook (reference)" : "an empty middleware (reference)"));
    console.log(line("hellojohn", "with HelloJohn"));
    console.log(line("role", "with requireAuth({ role })"));
  } finally {
    for (const { child } of apps) child.kill("SIGTERM");
  }
}

/** Student's t for a two-sided 95 % interval, by degrees of freedom 1–10; beyond, the value at the low end of each band (the wider interval). */
const T_95 = [12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23];

/**
 * The mean of `values` and its 95 % confidence interval (Student's t), or null
 * for fewer than two: how far the processes' mean ratio can be trusted, given
 * how much the processes disagree.
 */
function meanInterval(values: readonly number[]): { mean: number; low: number; high: number } | null {
  const n = values.length;
  if (n < 2) return null;
  const mean = values.reduce((sum, value) => sum + value, 0) / n;
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (n - 1);
  const df = n - 1;
  const t = T_95[df - 1] ?? (df <= 15 ? 2.2 : df <= 20 ? 2.12 : df <= 30 ? 2.08 : 2.04);
  const half = t * Math.sqrt(variance / n);
  return { mean, low: mean - half, high: mean + half };
}

/**
 * The bare and the role route in the same processes: each process loaded on one
 * route at a time, in 1 s bursts alternating between its two routes (which one
 * goes first changing every round and from one process to the next).
 */
async function pairedProcesses(framework: string): Promise<void> {
  const orders = Array.from({ length: PAIRED }, (_, index) => (index % 2 === 0 ? "bare-first" : "role-first"));
  const apps = await Promise.all(orders.map((order) => start(framework, "paired", order)));
  try {
    for (const { port } of apps) {
      await load(port, 2, "/bare/ping");
      await load(port, 2, "/role/ping");
    }
    const totals = apps.map(() => ({ bare: emptyTotals(), role: emptyTotals() }));
    for (let round = 0; round < PAIRED_ROUNDS; round++) {
      for (let i = 0; i < apps.length; i++) {
        const index = (round + i) % apps.length;
        const app = apps[index] as { child: ChildProcess; port: number };
        const routes = (round + index) % 2 === 0 ? (["bare", "role"] as const) : (["role", "bare"] as const);
        for (const route of routes) await burstInto((totals[index] as { bare: Totals; role: Totals })[route], app, `/${route}/ping`);
      }
    }
    const bare = sumTotals(totals.map((t) => t.bare));
    const role = sumTotals(totals.map((t) => t.role));
    const bareCost = micros(bare);
    const roleCost = micros(role);
    console.log(`${framework}, paired (the bare and the role route in each of ${PAIRED} processes)`);
    console.log(`  ${"bare route".padEnd(28)}${rps(bare).toFixed(0).padStart(7)} req/s${bareCost === null ? "" : `, ${bareCost.toFixed(1)} µs CPU/request`}`);
    const failed = role.non2xx > 0 ? `   ${role.non2xx} non-2xx!` : "";
    console.log(
      `  ${"requireAuth({ role }) route".padEnd(28)}${rps(role).toFixed(0).padStart(7)} req/s (${percent(rps(role) / rps(bare))} of bare)` +
        (bareCost === null || roleCost === null
          ? ""
          : `, ${roleCost.toFixed(1)} µs CPU/request (+${(roleCost - bareCost).toFixed(1)}); ${percent(bareCost / roleCost)} of bare's throughput at equal CPU`) +
        failed,
    );
    if (bareCost !== null) {
      const each = totals.map((t) => {
        const b = micros(t.bare);
        const r = micros(t.role);
        return b === null || r === null ? null : b / r;
      });
      const known = each.filter((ratio): ratio is number => ratio !== null).sort((a, b) => a - b);
      const median = known.length === 0 ? null : ((known[(known.length - 1) >> 1] as number) + (known[known.length >> 1] as number)) / 2;
      console.log(
        `${" ".repeat(30)}at equal CPU, process by process: ${each.map((ratio) => (ratio === null ? "?" : (ratio * 100).toFixed(1))).join(" / ")} %` +
          (median === null ? "" : ` (median ${percent(median)})`),
      );
      const interval = meanInterval(known);
      if (interval !== null) {
        console.log(
          `${" ".repeat(30)}mean of the processes ${percent(interval.mean)}, 95 % confidence interval ${percent(interval.low)}–${percent(interval.high)}` +
            `; the target ≥ 90 % ${interval.low >= 0.9 ? "is met (the whole interval lies above it)" : "is not shown by this run (the interval reaches below it)"}`,
        );
      }
    }
  } finally {
    for (const { child } of apps) child.kill("SIGTERM");
  }
}

let renew = false;
for (const framework of (process.env.BENCH_FRAMEWORKS ?? "express,fastify,nestjs").split(",")) {
  // Access tokens live 15 minutes and a whole run takes longer: each part gets fresh ones (its apps start afresh too).
  if (PARTS.includes("separate")) {
    if (renew) await sessions.renew();
    renew = true;
    await separate(framework);
  }
  if (PARTS.includes("paired") && PAIRED > 0) {
    if (renew) await sessions.renew();
    renew = true;
    await pairedProcesses(framework);
  }
  console.log("  target: with requireAuth({ role }) ≥ 90 % of bare\n");
}
await hj.close();
