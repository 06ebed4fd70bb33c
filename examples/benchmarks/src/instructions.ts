/**
 * pnpm --filter @hellojohn-examples/benchmarks bench:instructions — prints, never asserts.
 *
 * The machine-independent view of the adapters' cost: instructions executed per
 * request, counted by valgrind's callgrind, which a virtual machine's drift does
 * not move. Each app (`serve.ts`) runs under callgrind twice: once answering
 * WARM requests, once answering WARM + EXTRA; the difference divided by EXTRA is
 * what one warm request costs. The work of V8's optimizing compiler is counted
 * apart: under valgrind, a hundred times slower, the background compiler lags
 * far behind the requests, so its work falls inside the measured window although
 * a real run finishes it during warm-up.
 *
 * About 2–3 minutes per app and run. BENCH_FRAMEWORKS (express,fastify,nestjs),
 * BENCH_MODES (bare,guard,hellojohn,role) and BENCH_EXTRA (10000) adjust it.
 * The requests go one at a time over 50 users' tokens; BENCH_CONNECTIONS=32
 * BENCH_USERS=1000 sends them as `pnpm bench` does (autocannon, 32 connections,
 * 1,000 tokens), under which the compiler's share moves from run to run, so
 * compare the totals there.
 * BENCH_CACHE=1 also simulates the caches and prints last-level cache misses per
 * request; BENCH_KEEP=1 keeps the profiles and prints where, to read them
 * function by function.
 * Needs valgrind (`apt-get install valgrind`).
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { startTestServer } from "@hellojohn/server/testing";
import { adminTokens, bearerRequests, listeningPort, pingOneAtATime } from "./fixture.js";

const WARM = 3000;
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 1);
const EXTRA = Number(process.env.BENCH_EXTRA ?? 10_000);
const FRAMEWORKS = (process.env.BENCH_FRAMEWORKS ?? "express,fastify,nestjs").split(",");
const MODES = (process.env.BENCH_MODES ?? "bare,guard,hellojohn,role").split(",");
/** BENCH_CACHE=1: also simulate the caches (`--cache-sim=yes`, about twice as slow) and print last-level cache misses per request. */
const CACHE = process.env.BENCH_CACHE === "1";

if (spawnSync("valgrind", ["--version"]).status !== 0) {
  console.log("bench:instructions needs valgrind (apt-get install valgrind); skipped.");
  process.exit(0);
}

/** What a callgrind profile counted: every instruction, those of V8's optimizing compiler, and (with BENCH_CACHE) last-level cache misses of data reads and writes. */
interface Counts {
  total: number;
  compiler: number;
  misses: number;
}

/** The counts of a callgrind profile (see {@link Counts}). */
function counted(file: string): Counts {
  const shown = CACHE ? ["Ir", "DLmr", "DLmw"] : ["Ir"];
  const annotated = spawnSync("callgrind_annotate", ["--threshold=100", `--show=${shown.join(",")}`, file], { encoding: "utf8", maxBuffer: 256 * 2 ** 20 }).stdout;
  const counts: Counts = { total: 0, compiler: 0, misses: 0 };
  // Each line: one column per event shown (a count, or "." for none, most with a percentage), then the function.
  const column = String.raw`([\d,]+|\.)(?:\s+\(\s*[\d.]+%\))?\s+`;
  const line = new RegExp(`^\\s*${column.repeat(shown.length)}(.*)$`);
  for (const text of annotated.split("\n")) {
    const match = line.exec(text);
    if (match === null) continue;
    const values = match.slice(1, 1 + shown.length).map((v) => (v === "." ? 0 : Number(v?.replaceAll(",", ""))));
    const name = match[1 + shown.length] ?? "";
    if (name.startsWith("PROGRAM TOTALS")) {
      counts.total = values[0] ?? 0;
      counts.misses = (values[1] ?? 0) + (values[2] ?? 0);
    } else if (/compiler::|maglev::|Turbofan/i.test(name)) counts.compiler += values[0] ?? 0;
  }
  return counts;
}

const hj = await startTestServer();
const { tokens } = await adminTokens(hj, Number(process.env.BENCH_USERS ?? 50), "instructions");
const dir = mkdtempSync(join(tmpdir(), "hellojohn-instructions-"));

/** Runs one app under callgrind for `requests` requests (one at a time or over BENCH_CONNECTIONS, tokens in turn) and counts its instructions. */
async function profile(framework: string, mode: string, requests: number): Promise<Counts> {
  const out = join(dir, `${framework}-${mode}-${requests}.out`);
  const serve = fileURLToPath(new URL("./serve.ts", import.meta.url));
  const child = spawn(
    "valgrind",
    [
      "--tool=callgrind",
      "--smc-check=all-non-file",
      ...(CACHE ? ["--cache-sim=yes"] : []),
      `--callgrind-out-file=${out}`,
      process.execPath,
      "--import",
      "tsx",
      serve,
      framework,
      mode,
    ],
    {
      env: { ...process.env, ...hj.env, NODE_ENV: "production" },
      stdio: ["ignore", "pipe", "ignore"],
    },
  );
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const port = await listeningPort(child, `${framework} ${mode}`);
  if (CONNECTIONS > 1) {
    const result = await autocannon({ url: `http://127.0.0.1:${port}/ping`, connections: CONNECTIONS, amount: requests, timeout: 120, requests: bearerRequests(tokens) });
    if (result.non2xx + result.errors > 0 || result.requests.total !== requests) {
      throw new Error(`${framework} ${mode}: ${result.requests.total} requests, ${result.non2xx} non-2xx, ${result.errors} errors`);
    }
  } else {
    await pingOneAtATime(port, requests, tokens, `${framework} ${mode}`);
  }
  child.kill("SIGTERM");
  await exited;
  return counted(out);
}

const how = CONNECTIONS > 1 ? `${CONNECTIONS} connections` : "one at a time";
console.log(
  `Instructions per warm request (callgrind, ${EXTRA} requests after ${WARM}, ${how}, ${tokens.length} tokens), without the optimizing compiler's work, its work, and both\n`,
);
try {
  for (const framework of FRAMEWORKS) {
    console.log(framework);
    let reference: number | undefined;
    let referenceAll: number | undefined;
    for (const mode of MODES) {
      const warm = await profile(framework, mode, WARM);
      const measured = await profile(framework, mode, WARM + EXTRA);
      const all = (measured.total - warm.total) / EXTRA;
      const compiler = (measured.compiler - warm.compiler) / EXTRA;
      const steady = all - compiler;
      const misses = CACHE ? `; last-level cache misses ${((measured.misses - warm.misses) / EXTRA).toFixed(1)}` : "";
      reference ??= steady;
      referenceAll ??= all;
      const share = (base: number, value: number) => (mode === MODES[0] ? "" : ` (${MODES[0]}'s ${((base / value) * 100).toFixed(1)} %)`);
      const count = (value: number) => Math.round(value).toLocaleString("en-US");
      console.log(
        `  ${mode.padEnd(10)} ${count(steady).padStart(9)} instructions${share(reference, steady)}; compiler ${count(compiler)}; both ${count(all)}${share(referenceAll, all)}${misses}`,
      );
    }
  }
} finally {
  if (process.env.BENCH_KEEP === "1") console.log(`\nThe profiles are kept in ${dir} (callgrind_annotate, or kcachegrind, reads them).`);
  else rmSync(dir, { recursive: true, force: true });
  await hj.close();
}
