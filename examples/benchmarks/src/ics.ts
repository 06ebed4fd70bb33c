/**
 * pnpm --filter @hellojohn-examples/benchmarks bench:ics — prints, never asserts.
 *
 * Why an adapter costs what it costs on Express: V8's inline-cache misses per
 * warm request, by property. Express gives every request (and response) a
 * hidden class of its own, so nearly every property access of one misses V8's
 * inline caches and is looked up in the runtime, a few thousand instructions
 * each (most of what a bare Express request executes). Each app (`serve.ts`)
 * runs with `--log-ic` twice, answering WARM requests and WARM + EXTRA, one at
 * a time over 50 users' tokens; the difference divided by EXTRA is what one
 * warm request misses. Unlike time, the count does not drift with the machine.
 *
 * A few seconds per app and run. BENCH_FRAMEWORKS (express,fastify,nestjs),
 * BENCH_MODES (bare,guard,hellojohn,role) and BENCH_EXTRA (2000) adjust it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestServer } from "@hellojohn/server/testing";
import { adminTokens, listeningPort, pingOneAtATime } from "./fixture.js";

const WARM = 2000;
const EXTRA = Number(process.env.BENCH_EXTRA ?? 2000);
const FRAMEWORKS = (process.env.BENCH_FRAMEWORKS ?? "express,fastify,nestjs").split(",");
const MODES = (process.env.BENCH_MODES ?? "bare,guard,hellojohn,role").split(",");

/** Inline-cache misses in a `--log-ic` log, by the kind of access and the property (`LoadIC headers`). */
function misses(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  // Each miss is one line: kind,pc,time,line,column,old state,new state,map,key,…
  for (const line of readFileSync(file, "latin1").split("\n")) {
    const fields = line.split(",");
    const kind = fields[0] ?? "";
    if (!kind.endsWith("IC") || fields.length < 9) continue;
    // A symbol's hash differs from process to process: `symbol("kHeaders" hash 3f2a)` counts as `symbol("kHeaders")`.
    const key = `${kind} ${(fields[8] ?? "").replace(/ hash [0-9a-f]+\)$/, ")")}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

const hj = await startTestServer();
const { tokens } = await adminTokens(hj, 50, "ics");
const dir = mkdtempSync(join(tmpdir(), "hellojohn-ics-"));

/** Runs one app with `--log-ic` for `requests` requests, one at a time, tokens in turn, and counts its misses. */
async function logged(framework: string, mode: string, requests: number): Promise<Map<string, number>> {
  const log = join(dir, `${framework}-${mode}-${requests}.log`);
  const serve = fileURLToPath(new URL("./serve.ts", import.meta.url));
  const child = spawn(process.execPath, ["--log-ic", "--no-logfile-per-isolate", `--logfile=${log}`, "--import", "tsx", serve, framework, mode], {
    env: { ...process.env, ...hj.env, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "ignore"],
  });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const port = await listeningPort(child, `${framework} ${mode}`);
  await pingOneAtATime(port, requests, tokens, `${framework} ${mode}`);
  child.kill("SIGTERM");
  await exited;
  return misses(log);
}

/** Misses per warm request, by access: the longer run's count less the shorter's, over EXTRA. */
async function perRequest(framework: string, mode: string): Promise<Map<string, number>> {
  const warm = await logged(framework, mode, WARM);
  const measured = await logged(framework, mode, WARM + EXTRA);
  const result = new Map<string, number>();
  for (const key of new Set([...warm.keys(), ...measured.keys()])) {
    result.set(key, ((measured.get(key) ?? 0) - (warm.get(key) ?? 0)) / EXTRA);
  }
  return result;
}

const sum = (counts: Map<string, number>) => [...counts.values()].reduce((a, b) => a + b, 0);

console.log(`Inline-cache misses per warm request (--log-ic, ${EXTRA} requests after ${WARM}, one at a time, ${tokens.length} tokens)\n`);
try {
  for (const framework of FRAMEWORKS) {
    console.log(framework);
    let reference: Map<string, number> | undefined;
    for (const mode of MODES) {
      const counts = await perRequest(framework, mode);
      if (reference === undefined) {
        reference = counts;
        console.log(`  ${mode.padEnd(10)} ${sum(counts).toFixed(1).padStart(6)} misses`);
        continue;
      }
      const base = reference;
      // What this mode misses beyond the first mode's, by access (a difference under a tenth of a miss is noise).
      const more = [...new Set([...counts.keys(), ...base.keys()])]
        .map((key) => [key, (counts.get(key) ?? 0) - (base.get(key) ?? 0)] as const)
        .filter(([, difference]) => Math.abs(difference) >= 0.1)
        .sort((a, b) => b[1] - a[1])
        .map(([key, difference]) => `${key} ${difference > 0 ? "+" : ""}${difference.toFixed(1)}`);
      const difference = sum(counts) - sum(base);
      console.log(
        `  ${mode.padEnd(10)} ${sum(counts).toFixed(1).padStart(6)} misses (${difference >= 0 ? "+" : ""}${difference.toFixed(1)} on ${MODES[0]}${more.length > 0 ? `: ${more.join(", ")}` : ""})`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await hj.close();
}
