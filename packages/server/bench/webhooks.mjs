// pnpm bench (from the repository root) — prints, never asserts.
// 1. The outbox's cost on the write path: users.update through the SDK on two servers side by side,
//    one writing events (and a delivery for one subscribed endpoint), one with events off; interleaved.
// 2. Commit-to-delivery latency (p50/p99) to a receiver on loopback, one update at a time.
// 3. Delivery throughput: a backlog of events drained by one server to 1 and to 4 endpoints.
// SQLite (in memory / a temp file), and PostgreSQL when reachable.
import { mkdtempSync, rmSync } from "node:fs";
import { createServer as createHttpServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { HelloJohn } from "@hellojohn/node";
import { createServer, MasterKey } from "../dist/index.js";

const PG_ADMIN = process.env.HELLOJOHN_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const pct = (values, p) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))];
const fmt = (n, digits = 2) => n.toFixed(digits);
const masterKey = MasterKey.generate();
const dir = mkdtempSync(join(tmpdir(), "hellojohn-bench-"));

async function pgAdmin(sql) {
  const client = new pg.Client({ connectionString: PG_ADMIN, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function backends() {
  const list = [{ name: "SQLite", url: (tag) => (tag === "file" ? `sqlite:${join(dir, `${Date.now()}-${Math.random()}.db`)}` : "sqlite::memory:"), drop: async () => {} }];
  try {
    await pgAdmin("SELECT 1");
    list.push({
      name: "PostgreSQL",
      url: async () => {
        const name = `hellojohn_bench_${Math.random().toString(16).slice(2, 10)}`;
        await pgAdmin(`CREATE DATABASE ${name}`);
        const url = new URL(PG_ADMIN);
        url.pathname = `/${name}`;
        return url.href;
      },
      drop: (url) => pgAdmin(`DROP DATABASE IF EXISTS ${new URL(url).pathname.slice(1)} WITH (FORCE)`),
    });
  } catch {
    console.log("(PostgreSQL unreachable: SQLite only)");
  }
  return list;
}

async function receiver() {
  const arrivals = [];
  const server = createHttpServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      arrivals.push({ at: Date.now(), event: JSON.parse(Buffer.concat(chunks).toString()) });
      res.writeHead(204).end();
    });
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return { url: `http://127.0.0.1:${server.address().port}/hook`, arrivals, close: () => new Promise((r) => server.close(r)) };
}

async function start(databaseUrl, options) {
  // Development limits: this measures the outbox and delivery, not the admin API rate limit.
  const server = await createServer({ databaseUrl, masterKey, passwordHashing: "unsafe-test-only", limits: { preset: "development" }, ...options });
  const baseUrl = await server.listen({ port: 0 });
  return { server, baseUrl };
}

async function tenantClient(server, baseUrl) {
  const tenant = await server.tenants.createTenant("Bench");
  const { secretKey } = await server.tenants.createApiKey(tenant.id, "bench");
  return { tenantId: tenant.id, secretKey, hj: new HelloJohn({ tenantId: tenant.id, secretKey, baseUrl, maxRetries: 0 }) };
}

const until = async (done) => {
  for (let i = 0; i < 30_000 && !done(); i++) await new Promise((r) => setTimeout(r, 5));
};

for (const backend of await backends()) {
  console.log(`\n== ${backend.name} ==`);

  // 1. Write path, side by side.
  {
    const urls = [await backend.url("memory"), await backend.url("memory")];
    const on = await start(urls[0], { webhooks: { deliver: false, allowPrivateNetworks: true } });
    const off = await start(urls[1], { events: { enabled: false } });
    const sides = [
      { name: "outbox on (event + 1 delivery)", ...(await tenantClient(on.server, on.baseUrl)), times: [] },
      { name: "outbox off", ...(await tenantClient(off.server, off.baseUrl)), times: [] },
    ];
    await sides[0].hj.webhooks.endpoints.create({ url: "http://127.0.0.1:9/hook", events: ["user.updated"] });
    for (const side of sides) side.user = await side.hj.users.create({ email: "bench@example.com" });
    const ROUNDS = 20;
    const BATCH = 100;
    for (let round = 0; round < ROUNDS + 2; round++) {
      for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
        for (let i = 0; i < BATCH; i++) {
          const t0 = performance.now();
          await side.hj.users.update(side.user.id, { metadata: { n: i } });
          if (round >= 2) side.times.push(performance.now() - t0); // two warm-up rounds
        }
      }
    }
    const [withOutbox, without] = sides.map((s) => pct(s.times, 50));
    for (const side of sides) console.log(`users.update ${side.name.padEnd(32)} p50 ${fmt(pct(side.times, 50) * 1000, 0)} µs  p99 ${fmt(pct(side.times, 99) * 1000, 0)} µs`);
    console.log(`outbox cost on users.update (p50, interleaved): ${fmt(((withOutbox - without) / without) * 100, 1)} %  (target ≤ 10 %)`);
    await on.server.close();
    await off.server.close();
    for (const url of urls) await backend.drop(url);
  }

  // 2. Commit-to-delivery latency, one update at a time.
  {
    const url = await backend.url("memory");
    const s = await start(url, { webhooks: { allowPrivateNetworks: true } });
    const { hj } = await tenantClient(s.server, s.baseUrl);
    const inbox = await receiver();
    await hj.webhooks.endpoints.create({ url: inbox.url, events: ["user.updated"] });
    const user = await hj.users.create({ email: "latency@example.com" });
    const N = 300;
    for (let i = 0; i < N; i++) {
      await hj.users.update(user.id, { metadata: { n: i } });
      await until(() => inbox.arrivals.length > i);
    }
    const latencies = inbox.arrivals.map((a) => a.at - Date.parse(a.event.created_at));
    console.log(`commit → delivery latency (${N} events, one at a time): p50 ${pct(latencies, 50)} ms  p99 ${pct(latencies, 99)} ms`);
    await s.server.close();
    await inbox.close();
    await backend.drop(url);
  }

  // 3. Throughput: a backlog written with delivery off, then drained by one server.
  for (const endpoints of [1, 4]) {
    const url = await backend.url("file");
    const writer = await start(url, { webhooks: { deliver: false, allowPrivateNetworks: true } });
    const { hj } = await tenantClient(writer.server, writer.baseUrl);
    const inboxes = [];
    for (let i = 0; i < endpoints; i++) {
      const inbox = await receiver();
      inboxes.push(inbox);
      await hj.webhooks.endpoints.create({ url: inbox.url, events: ["user.updated"] });
    }
    const user = await hj.users.create({ email: "backlog@example.com" });
    const EVENTS = 2000;
    for (let i = 0; i < EVENTS; i += 20) await Promise.all(Array.from({ length: 20 }, (_, j) => hj.users.update(user.id, { metadata: { [`k${(i + j) % 50}`]: i + j } })));
    await writer.server.close();
    const t0 = performance.now();
    const drainer = await start(url, { webhooks: { allowPrivateNetworks: true, pollIntervalMs: 100 } });
    await until(() => inboxes.every((inbox) => inbox.arrivals.length >= EVENTS));
    const seconds = (performance.now() - t0) / 1000;
    const delivered = inboxes.reduce((n, inbox) => n + inbox.arrivals.length, 0);
    console.log(`delivery throughput, ${EVENTS} events × ${endpoints} endpoint(s): ${fmt(delivered / seconds, 0)} deliveries/s (${fmt(seconds, 1)} s, includes server start)`);
    await drainer.server.close();
    for (const inbox of inboxes) await inbox.close();
    await backend.drop(url);
  }
}
rmSync(dir, { recursive: true, force: true });
