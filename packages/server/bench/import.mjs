// pnpm bench (from the repository root) — prints, never asserts.
// `hellojohn-server users import` and `users export` of 100,000 and 1,000,000 users with
// pre-hashed (bcrypt) passwords, on SQLite and PostgreSQL: rows per second and the peak RSS
// of the CLI process (read from /proc while it runs), into the database directly and, for
// 100,000, through a running server and the SDK. Then, side by side, the cost of importing
// plaintext passwords (Argon2id at OWASP cost on the server). At the first size, the export
// is also stopped with Ctrl-C half way and resumed (`users export` again), compared with the
// uninterrupted one.
// HELLOJOHN_BENCH_IMPORT_SIZES=100000 runs the smaller size only.
import { spawn } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { once } from "node:events";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import bcrypt from "bcryptjs";
import pg from "pg";

const { createServer, MasterKey } = await import("../dist/index.js");
const CLI = new URL("../bin/hellojohn-server.js", import.meta.url).pathname;
const PG_ADMIN = process.env.HELLOJOHN_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SIZES = (process.env.HELLOJOHN_BENCH_IMPORT_SIZES ?? "100000,1000000").split(",").map(Number);
// One bcrypt hash (cost 10, from bcryptjs) for every row: the import stores hashes, it never runs them.
const BCRYPT = bcrypt.hashSync("bench-password", 10);
const dir = mkdtempSync(join(tmpdir(), "hellojohn-bench-import-"));
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;
const rate = (n, ms) => `${Math.round((n / ms) * 1000).toLocaleString("en-US")} users/s`;

async function writeExport(path, count, withPassword = "hash") {
  const out = createWriteStream(path);
  for (let i = 0; i < count; i++) {
    const user = {
      email: `bench.${i}@example.com`,
      email_verified: true,
      first_name: "Bench",
      last_name: `User ${i}`,
      metadata: { plan: i % 3 === 0 ? "pro" : "free" },
      created_at: new Date(1_600_000_000_000 + i * 1000).toISOString(),
      memberships: [],
    };
    if (withPassword === "hash") user.password_hash = BCRYPT;
    if (withPassword === "plain") user.password = `Plaintext-${i}-password`;
    if (!out.write(`${JSON.stringify(user)}\n`)) await once(out, "drain");
  }
  out.end();
  await once(out, "finish");
}

/** Runs the CLI; returns its wall time and peak RSS (VmHWM from /proc). */
function cli(args, env) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let peak = 0;
    let output = "";
    const sample = () => {
      try {
        const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
        const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
        if (hwm) peak = Math.max(peak, Number(hwm[1]) * 1024);
      } catch {}
    };
    const timer = setInterval(sample, 100);
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => (output += c));
    child.on("exit", (code) => {
      clearInterval(timer);
      if (code !== 0) reject(new Error(`hellojohn-server ${args.join(" ")} exited ${code}: ${output.slice(-2000)}`));
      else resolve({ ms: performance.now() - started, peak, output });
    });
  });
}

/**
 * `users export` stopped with Ctrl-C (SIGINT) once its progress passes `percent`, then the same
 * command again, which resumes from the checkpoint. Returns both runs' wall times and users.
 */
async function interruptedExport(path, env, percent) {
  const args = ["users", "export", path, "--progress-interval", "0"];
  const first = await new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let stopped = false;
    child.stdout.on("data", (c) => (output += c));
    child.stderr.on("data", (c) => {
      output += c;
      const done = [...output.matchAll(/export: [\d,]+ rows \((\d+)%\)/g)].at(-1);
      if (!stopped && done && Number(done[1]) >= percent) {
        stopped = true;
        child.kill("SIGINT");
      }
    });
    child.on("exit", (code) => {
      const users = /Interrupted after user ([\d,]+)/.exec(output);
      if (code !== 130 || !users) reject(new Error(`export was not interrupted (exit ${code}): ${output.slice(-2000)}`));
      else resolve({ ms: performance.now() - started, users: Number(users[1].replaceAll(",", "")) });
    });
  });
  const second = await cli(args, env);
  return { first, second };
}

async function run(databaseUrl, dialect) {
  const masterKey = MasterKey.generate();
  const server = await createServer({ databaseUrl, masterKey });
  const url = await server.listen();
  const base = { HELLOJOHN_DATABASE_URL: databaseUrl, HELLOJOHN_MASTER_KEY: masterKey, HELLOJOHN_API_URL: "" };
  for (const size of SIZES) {
    const tenant = await server.tenants.createTenant(`Bench ${size}`);
    const env = { ...base, HELLOJOHN_TENANT_ID: tenant.id };
    const file = join(dir, `users-${size}.ndjson`);
    if (!statSync(file, { throwIfNoEntry: false })) await writeExport(file, size);
    const imported = await cli(["users", "import", "--from", "hellojohn", file, "--batch-size", "1000", "--progress-interval", "3600"], env);
    const exportPath = join(dir, `out-${dialect}-${size}.ndjson`);
    const exported = await cli(["users", "export", exportPath, "--progress-interval", "3600"], env);
    console.log(
      `  ${dialect.padEnd(8)} ${size.toLocaleString("en-US").padStart(9)} users  import (database) ${rate(size, imported.ms).padStart(14)}  peak RSS ${mb(imported.peak).padStart(6)} | export ${rate(size, exported.ms).padStart(14)}  peak RSS ${mb(exported.peak).padStart(6)}`,
    );
    if (size === SIZES[0]) {
      // The same export stopped with Ctrl-C half way, then resumed by running the same command again.
      const resumedPath = join(dir, `resumed-${dialect}-${size}.ndjson`);
      const { first, second } = await interruptedExport(resumedPath, env, 50);
      const same = readFileSync(resumedPath).equals(readFileSync(exportPath));
      console.log(
        `  ${dialect.padEnd(8)} ${size.toLocaleString("en-US").padStart(9)} users  export stopped at ${first.users.toLocaleString("en-US")} ${rate(first.users, first.ms)}, resumed ${rate(size - first.users, second.ms)} (peak RSS ${mb(second.peak)}), both runs ${rate(size, first.ms + second.ms)}; file ${same ? "identical to" : "DIFFERENT from"} the uninterrupted export`,
      );
      rmSync(resumedPath, { force: true });
    }
    rmSync(exportPath, { force: true });
    if (size === SIZES[0]) {
      const remoteTenant = await server.tenants.createTenant("Bench remote");
      const { secretKey } = await server.tenants.createApiKey(remoteTenant.id);
      const remote = await cli(["users", "import", "--from", "hellojohn", file, "--batch-size", "1000", "--progress-interval", "3600", "--report", join(dir, "remote.refused")], {
        HELLOJOHN_DATABASE_URL: "",
        HELLOJOHN_MASTER_KEY: "",
        HELLOJOHN_API_URL: url,
        HELLOJOHN_TENANT_ID: remoteTenant.id,
        HELLOJOHN_SECRET_KEY: secretKey,
      });
      console.log(
        `  ${dialect.padEnd(8)} ${size.toLocaleString("en-US").padStart(9)} users  import (HTTP + SDK) ${rate(size, remote.ms).padStart(12)}  CLI peak RSS ${mb(remote.peak).padStart(6)}`,
      );
    }
  }
  // Plaintext passwords: every row costs one Argon2id hash at the server's OWASP cost.
  const plainFile = join(dir, "plain-1000.ndjson");
  if (!statSync(plainFile, { throwIfNoEntry: false })) await writeExport(plainFile, 1000, "plain");
  const hashedFile = join(dir, "hashed-1000.ndjson");
  if (!statSync(hashedFile, { throwIfNoEntry: false })) await writeExport(hashedFile, 1000, "hash");
  const t1 = await server.tenants.createTenant("Bench plain");
  const t2 = await server.tenants.createTenant("Bench hashed");
  const plain = await cli(["users", "import", "--from", "hellojohn", plainFile, "--batch-size", "500", "--progress-interval", "3600"], { ...base, HELLOJOHN_TENANT_ID: t1.id });
  const hashed = await cli(["users", "import", "--from", "hellojohn", hashedFile, "--batch-size", "500", "--progress-interval", "3600"], { ...base, HELLOJOHN_TENANT_ID: t2.id });
  console.log(
    `  ${dialect.padEnd(8)}     1,000 users  plaintext passwords (Argon2id, OWASP cost) ${rate(1000, plain.ms)} vs pre-hashed ${rate(1000, hashed.ms)} (same run, same file size)`,
  );
  await server.close();
}

console.log(`Bulk import and export (hellojohn-server users import/export), sizes ${SIZES.map((s) => s.toLocaleString("en-US")).join(" and ")}`);
try {
  await run(`sqlite:${join(dir, "bench.db")}`, "sqlite");
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  try {
    await admin.connect();
    const name = `hellojohn_bench_${randomBytes(4).toString("hex")}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const pgUrl = new URL(PG_ADMIN);
    pgUrl.pathname = `/${name}`;
    try {
      await run(pgUrl.href, "postgres");
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } catch (error) {
    console.log(`  postgres skipped: ${error.message}`);
  } finally {
    await admin.end().catch(() => undefined);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
