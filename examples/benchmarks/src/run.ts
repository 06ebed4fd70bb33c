/**
 * pnpm bench (from the repository root) — prints, never asserts.
 * For Express, Fastify and NestJS: requests per second of the same app without
 * HelloJohn, with HelloJohn verifying a bearer token on every request, and with
 * the route also requiring the `admin` organization role (`requireAuth({ role })`,
 * `@Roles()`). The tokens are drawn from a pool of 1,000 distinct users'
 * sessions, each opened in an organization where the user is an admin. Bare,
 * HelloJohn and role runs alternate, in an order that rotates each round
 * (A B C, B C A, C A B), so all see the same machine and none always goes first.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
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

async function load(port: number): Promise<{ rps: number; non2xx: number }> {
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
  return { rps: result.requests.average, non2xx: result.non2xx + result.errors };
}

async function measure(framework: string, mode: string): Promise<{ rps: number; non2xx: number }> {
  const { child, port } = await start(framework, mode);
  try {
    await load(port); // warm-up: JIT, connections, and the first sight of every token
    return await load(port);
  } finally {
    child.kill("SIGTERM");
  }
}

console.log(
  `Throughput without HelloJohn, with it, and with a required role, ${USERS} distinct users' tokens, ${SECONDS} s per run, ${ROUNDS} alternating rounds${PINNED ? ", app and load generator pinned to separate cores" : ""}\n`,
);
const MODES = ["bare", "hellojohn", "role"] as const;
type Mode = (typeof MODES)[number];
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const percent = (value: number) => `${(value * 100).toFixed(1)} %`;
for (const framework of (process.env.BENCH_FRAMEWORKS ?? "express,fastify,nestjs").split(",")) {
  const results: Record<Mode, number[]> = { bare: [], hellojohn: [], role: [] };
  let failures = 0;
  for (let round = 0; round < ROUNDS; round++) {
    // The order rotates each round (A B C, B C A, C A B) so that no mode always runs first or last.
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(round + i) % MODES.length] as Mode;
      const { rps, non2xx } = await measure(framework, mode);
      results[mode].push(rps);
      if (mode !== "bare") failures += non2xx;
    }
  }
  const { bare, hellojohn: withAuth, role: withRole } = results;
  const rps = (values: number[]) => mean(values).toFixed(0).padStart(6);
  console.log(
    `${framework.padEnd(8)} bare ${rps(bare)} req/s   with HelloJohn ${rps(withAuth)} req/s (${percent(mean(withAuth) / mean(bare))})   ` +
      `with requireAuth({ role }) ${rps(withRole)} req/s (${percent(mean(withRole) / mean(bare))}) (target ≥ 90 %)${failures > 0 ? `   ${failures} non-2xx!` : ""}\n` +
      `         rounds (bare/HelloJohn/role): ${bare.map((b, i) => `${b.toFixed(0)}/${(withAuth[i] as number).toFixed(0)}/${(withRole[i] as number).toFixed(0)}`).join("  ")}`,
  );
}
await hj.close();
