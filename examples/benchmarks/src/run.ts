/**
 * pnpm bench (from the repository root) — prints, never asserts.
 * For Express, Fastify and NestJS: requests per second of the same app without
 * HelloJohn, with HelloJohn verifying a bearer token on every request, and with
 * the route also requiring the `admin` organization role (`requireAuth({ role })`,
 * `@Roles()`). The tokens are drawn from a pool of 1,000 distinct users'
 * sessions, each opened in an organization where the user is an admin. Bare,
 * HelloJohn and role runs alternate, in an order that rotates each round
 * (A B C, B C A, C A B), so all see the same machine and none always goes first.
 *
 * Two measures of the same runs. Requests per second moves with everything else
 * the machine does (another process on the app's core, the hypervisor), so each
 * run also reads the app process's CPU time (user + system, from /proc) and
 * divides it by the requests it answered: the app is single-threaded and
 * CPU-bound, so "CPU per request" is the cost of a request itself, and the
 * throughput at equal CPU is its inverse. The verdict uses the medians of that.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startTestServer } from "@hellojohn/server/testing";

const USERS = 1000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PASSWORD = "Bench-Passw0rd!";

const PINNED = cpus().length >= 2 && spawnSync("taskset", ["-cp", "0", String(process.pid)], { stdio: "ignore" }).status === 0;

const hj = await startTestServer();
const organizationId = (await hj.client.organizations.create({ name: "Bench" })).id;
const tokens: string[] = [];
for (let batch = 0; batch < USERS; batch += 25) {
  await Promise.all(
    Array.from({ length: Math.min(25, USERS - batch) }, async (_, i) => {
      const email = `bench-${batch + i}@example.com`;
      const user = await hj.client.users.create({ email, password: PASSWORD });
      await hj.client.organizations.addMember(organizationId, { userId: user.id, role: "admin" });
      tokens.push((await hj.client.sessions.signInWithPassword({ email, password: PASSWORD, organizationId })).accessToken);
    }),
  );
}

async function start(framework: string, mode: string): Promise<{ child: ChildProcess; port: number }> {
  const args = ["--import", "tsx", fileURLToPath(new URL("./serve.ts", import.meta.url)), framework, mode];
  // The app gets one core to itself and the load generator the other, so neither steals from the other.
  const [command, argv] = PINNED ? ["taskset", ["-c", "1", process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(command, argv as string[], {
    env: { ...process.env, ...hj.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`${framework} ${mode} exited with ${code}`)));
  });
  return { child, port };
}

/** A process's CPU time so far (user + system), in seconds, or null where /proc is not there. */
function cpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    // Fields after the parenthesized command name: state is field 3, utime 14 and stime 15 (clock ticks, 100 per second on Linux).
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return null;
  }
}

interface Run {
  rps: number;
  non2xx: number;
  /** The app's CPU microseconds per answered request, or null without /proc. */
  cpuPerRequest: number | null;
}

async function load(port: number): Promise<{ rps: number; non2xx: number; requests: number }> {
  let next = 0;
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/ping`,
    connections: 32,
    duration: SECONDS,
    requests: [
      {
        setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` } }),
      },
    ],
  });
  return { rps: result.requests.average, non2xx: result.non2xx + result.errors, requests: result.requests.total };
}

async function measure(framework: string, mode: string): Promise<Run> {
  const { child, port } = await start(framework, mode);
  try {
    await load(port); // warm-up: JIT, connections, and the first sight of every token
    const before = cpuSeconds(child.pid);
    const { rps, non2xx, requests } = await load(port);
    const after = cpuSeconds(child.pid);
    const cpuPerRequest = before === null || after === null || requests === 0 ? null : ((after - before) * 1e6) / requests;
    return { rps, non2xx, cpuPerRequest };
  } finally {
    child.kill("SIGTERM");
  }
}

console.log(
  `Throughput without HelloJohn, with it, and with a required role (NestJS also behind an empty guard), ${USERS} distinct users' tokens, ${SECONDS} s per run, ${ROUNDS} alternating rounds${PINNED ? ", app and load generator pinned to separate cores" : ""}\n`,
);
const MODES = ["bare", "hellojohn", "role", "guard"] as const;
type Mode = (typeof MODES)[number];
// The empty guard is NestJS's own reference: what any guard costs there before it does any work.
const modesOf = (framework: string): readonly Mode[] => (framework === "nestjs" ? MODES : MODES.slice(0, 3));
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
for (const framework of (process.env.BENCH_FRAMEWORKS ?? "express,fastify,nestjs").split(",")) {
  const rps: Record<Mode, number[]> = { bare: [], hellojohn: [], role: [], guard: [] };
  const cpu: Record<Mode, number[]> = { bare: [], hellojohn: [], role: [], guard: [] };
  const modes = modesOf(framework);
  let failures = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // The order rotates each round (A B C, B C A, C A B) so that no mode always runs first or last.
    for (let i = 0; i < modes.length; i++) {
      const mode = modes[(round + i) % modes.length] as Mode;
      const run = await measure(framework, mode);
      rps[mode].push(run.rps);
      if (run.cpuPerRequest !== null) cpu[mode].push(run.cpuPerRequest);
      if (mode !== "bare" && mode !== "guard") failures += run.non2xx;
    }
  }
  const perSecond = (values: number[]) => mean(values).toFixed(0).padStart(6);
  const micros = (values: number[]) => `${median(values).toFixed(1)} µs`;
  console.log(
    `${framework.padEnd(8)} bare ${perSecond(rps.bare)} req/s   with HelloJohn ${perSecond(rps.hellojohn)} req/s (${percent(mean(rps.hellojohn) / mean(rps.bare))})   ` +
      `with requireAuth({ role }) ${perSecond(rps.role)} req/s (${percent(mean(rps.role) / mean(rps.bare))})${failures > 0 ? `   ${failures} non-2xx!` : ""}\n` +
      `         rounds (bare/HelloJohn/role): ${rps.bare.map((b, i) => `${b.toFixed(0)}/${(rps.hellojohn[i] as number).toFixed(0)}/${(rps.role[i] as number).toFixed(0)}`).join("  ")}`,
  );
  if (cpu.bare.length === ROUNDS) {
    // Throughput at equal CPU: bare's CPU per request over the mode's (the medians of the rounds).
    console.log(
      `         app CPU per request, median: bare ${micros(cpu.bare)}   HelloJohn ${micros(cpu.hellojohn)} (${percent(median(cpu.bare) / median(cpu.hellojohn))} of bare's throughput)   ` +
        `role ${micros(cpu.role)} (${percent(median(cpu.bare) / median(cpu.role))}) (target ≥ 90 %)\n` +
        `         rounds (µs, bare/HelloJohn/role): ${cpu.bare.map((b, i) => `${b.toFixed(0)}/${(cpu.hellojohn[i] as number).toFixed(0)}/${(cpu.role[i] as number).toFixed(0)}`).join("  ")}`,
    );
  }
  if (cpu.guard.length === ROUNDS) {
    console.log(
      `         reference, a NestJS guard that admits everything: ${micros(cpu.guard)} (${percent(median(cpu.bare) / median(cpu.guard))} of bare's throughput; ${perSecond(rps.guard)} req/s), ` +
        `so HelloJohnGuard's own work is ${percent(median(cpu.guard) / median(cpu.hellojohn))} with a token, ${percent(median(cpu.guard) / median(cpu.role))} with a role`,
    );
  }
}
await hj.close();
