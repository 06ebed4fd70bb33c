// pnpm bench (from the repository root) — prints, never asserts.
// Export of one user with a long history (20,000 sessions and 20,000 audit events):
// the longest event-loop stall it causes, the RSS it adds, and how long a users.get
// issued beside it waits, on SQLite and PostgreSQL. Side by side: the same rows read
// in one piece and serialized whole (what a buffered export does).
// `node bench/export.mjs [path/to/server/dist/index.js]` measures another build the same way.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { randomBytes } from "node:crypto";
import { pathToFileURL } from "node:url";
import pg from "pg";

const distPath = process.argv[2] ? pathToFileURL(process.argv[2]).href : "../dist/index.js";
const { createServer, MasterKey } = await import(distPath);
const ROWS = 20_000;
const PG_ADMIN = process.env.HELLOJOHN_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const id = (prefix) => `${prefix}_${Array.from(randomBytes(26), (b) => CROCKFORD[b % 32]).join("")}`;
const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(0)} MB`;

async function measure(label, work) {
  global.gc?.();
  const baseline = process.memoryUsage().rss;
  let peak = baseline;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  delay.disable();
  clearInterval(sampler);
  return { label, ms, stall: delay.max / 1e6, rssGrowth: peak - baseline, ...result };
}

async function run(databaseUrl, dialect) {
  const server = await createServer({ databaseUrl, masterKey: MasterKey.generate(), passwordHashing: "unsafe-test-only", limits: { preset: "development" } });
  const url = await server.listen();
  const tenant = await server.tenants.createTenant("Bench");
  const { secretKey } = await server.tenants.createApiKey(tenant.id);
  const headers = { authorization: `Bearer ${secretKey}`, "hellojohn-tenant-id": tenant.id, "content-type": "application/json" };
  const user = await (await fetch(`${url}/v1/users`, { method: "POST", headers, body: JSON.stringify({ email: "history@example.com" }) })).json();
  const db = server.database.db;
  const now = Date.now();
  for (let start = 0; start < ROWS; start += 1000) {
    const batch = Array.from({ length: 1000 }, (_, k) => now - (start + k) * 1000);
    await db
      .insertInto("sessions")
      .values(
        batch.map((t) => ({
          id: id("ses"),
          tenant_id: tenant.id,
          user_id: user.id,
          created_at: t,
          expires_at: t + 3600_000,
          revoked_at: null,
          last_used_at: null,
          ip_address: "127.0.0.1",
          user_agent: "Mozilla/5.0 (bench)",
          impersonator_id: "key_bench",
          impersonation_reason: "Support ticket #4521",
        })),
      )
      .execute();
    await db
      .insertInto("audit_events")
      .values(
        batch.map((t) => ({
          id: id("evt"),
          tenant_id: tenant.id,
          type: "user.impersonated",
          actor_type: "api_key",
          actor_id: "key_bench",
          subject_user_id: user.id,
          ip_address: "127.0.0.1",
          user_agent: "bench",
          data: JSON.stringify({ reason: "Support ticket #4521", expires_in: 900 }),
          created_at: t,
        })),
      )
      .execute();
  }
  // A users.get every 10 ms beside the export: the longest it waited.
  const beside = async (work) => {
    let stop = false;
    let worst = 0;
    const probe = (async () => {
      while (!stop) {
        const t0 = performance.now();
        await (await fetch(`${url}/v1/users/${user.id}`, { headers })).arrayBuffer();
        worst = Math.max(worst, performance.now() - t0);
        await new Promise((r) => setTimeout(r, 10));
      }
    })();
    const result = await work();
    stop = true;
    await probe;
    return { ...result, getWorst: worst };
  };
  const rows = [];
  rows.push(
    await measure("export endpoint", () =>
      beside(async () => {
        const response = await fetch(`${url}/v1/users/${user.id}/export`, { headers });
        let bytes = 0;
        for await (const chunk of response.body) bytes += chunk.length;
        return { bytes };
      }),
    ),
  );
  rows.push(
    await measure("rows read whole + JSON.stringify (buffered baseline)", () =>
      beside(async () => {
        const sessions = await db.selectFrom("sessions").selectAll().where("user_id", "=", user.id).orderBy("created_at", "desc").execute();
        const events = await db.selectFrom("audit_events").selectAll().where("subject_user_id", "=", user.id).orderBy("created_at", "desc").execute();
        return { bytes: Buffer.byteLength(JSON.stringify({ user, sessions, audit_events: events })) };
      }),
    ),
  );
  await server.close();
  for (const r of rows) {
    console.log(
      `  ${dialect.padEnd(8)} ${r.label.padEnd(54)} ${(r.bytes / 1e6).toFixed(1).padStart(5)} MB in ${r.ms.toFixed(0).padStart(5)} ms | longest stall ${r.stall.toFixed(0).padStart(4)} ms | RSS +${mb(r.rssGrowth).padStart(6)} | users.get beside it ≤ ${r.getWorst.toFixed(0)} ms`,
    );
  }
}

console.log(`Export of one user with ${ROWS.toLocaleString("en")} sessions and ${ROWS.toLocaleString("en")} audit events (${distPath})`);
await run("sqlite::memory:", "sqlite");
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
