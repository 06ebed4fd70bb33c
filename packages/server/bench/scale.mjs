// pnpm bench:scale (from the repository root) — prints, never asserts.
// Seeds 10,000 and then 1,000,000 users in one tenant, straight into the database
// (prepared INSERTs in large transactions on SQLite, INSERT … SELECT generate_series on
// PostgreSQL; the triggers of migration 0003 keep counters and search indexes as they
// would for any write), then measures every list, search and write call through the SDK
// over loopback HTTP, at both sizes side by side (the sizes taking turns call by call, so that the
// machine's drift falls on both alike), with the ratio 1M / 10k, the server's longest
// event-loop stall, the latency of users.get beside the heaviest search, and the server's peak
// RSS. The server runs in a child process (bench/scale-server.mjs), so that both are its own.
//
// Environment: HELLOJOHN_BENCH_PG_URL (admin URL, default postgres://postgres@127.0.0.1:5432/postgres),
// HELLOJOHN_BENCH_SIZES (default "10000,1000000"), HELLOJOHN_BENCH_DIALECTS (default "sqlite,postgres"),
// HELLOJOHN_BENCH_KEEP=1 keeps the seeded databases (to EXPLAIN queries against them).
import { closeSync, fsyncSync, mkdtempSync, openSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import BetterSqlite3 from "better-sqlite3";
import pg from "pg";
import { HelloJohn } from "@hellojohn/node";

const PG_ADMIN_URL = process.env.HELLOJOHN_BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const SIZES = (process.env.HELLOJOHN_BENCH_SIZES ?? "10000,1000000").split(",").map(Number);
const DIALECTS = (process.env.HELLOJOHN_BENCH_DIALECTS ?? "sqlite,postgres").split(",");
const REPEAT = 15;
const FIRST_NAMES = ["james", "mary", "robert", "patricia", "john", "jennifer", "michael", "linda", "david", "elizabeth"];
const BASE_TIME = Date.UTC(2020, 0, 1);

// The data set, one formula for both dialects (the PostgreSQL seed is the same in SQL):
// user i is `${first}.${last}${i}@example${i % 10}.com`; first names cycle through ten
// (a "common" name: 10 % of users), 10 users are named "Zyxwell" (the rare name), 1 % are
// disabled, 1 % belong to the organization, and user i was created i seconds after BASE_TIME.
const userId = (i) => `usr_0${String(i).padStart(25, "0")}`;
const isRare = (i, n) => i % (n / 10) === 7;
const lastName = (i, n) => (isRare(i, n) ? "zyxwell" : `smith${i % 5000}`);

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (start) => Number(process.hrtime.bigint() - start) / 1e6;

async function timed(fn) {
  const start = process.hrtime.bigint();
  await fn();
  return ms(start);
}

async function admin(work) {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function freshDatabase(dialect) {
  if (dialect === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "hellojohn-scale-"));
    return { url: `sqlite:${join(dir, "bench.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `hellojohn_scale_${randomBytes(5).toString("hex")}`;
  await admin((c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)) };
}

function seedSqlite(file, tenantId, orgId, n) {
  const db = new BetterSqlite3(file);
  db.pragma("busy_timeout = 5000");
  const insertUser = db.prepare(
    `insert into users (id, tenant_id, email, email_lower, email_verified, first_name, last_name, name_lower, phone_number, avatar_url,
       metadata, password_hash, disabled, created_at, updated_at, last_sign_in_at)
     values (?, ?, ?, ?, 1, ?, ?, ?, null, null, '{}', null, ?, ?, ?, null)`,
  );
  const insertMember = db.prepare("insert into memberships (tenant_id, org_id, user_id, role, created_at) values (?, ?, ?, 'member', ?)");
  const batch = db.transaction((from, to) => {
    for (let i = from; i < to; i++) {
      const first = FIRST_NAMES[i % 10];
      const last = lastName(i, n);
      const email = `${first}.${last}${i}@example${i % 10}.com`;
      const created = BASE_TIME + i * 1000;
      insertUser.run(userId(i), tenantId, email, email, first, last, `${first} ${last}`, i % 100 === 3 ? 1 : 0, created, created);
      if (i % 100 === 5) insertMember.run(tenantId, orgId, userId(i), created);
    }
  });
  for (let from = 0; from < n; from += 50_000) batch(from, Math.min(n, from + 50_000));
  db.pragma("wal_checkpoint(TRUNCATE)");
  db.close();
  // The seed leaves nearly a gigabyte for the kernel to write back; measured straight after, the first
  // writes queue behind that flush (a one-off stall of up to a quarter of a second, seen here). A real
  // bulk load is not followed a second later by the measurement: the file is flushed first.
  const fd = openSync(file, "r+");
  fsyncSync(fd);
  closeSync(fd);
}

async function seedPostgres(url, tenantId, orgId, n) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (let from = 0; from < n; from += 100_000) {
      const to = Math.min(n, from + 100_000) - 1;
      await client.query(
        `insert into users (id, tenant_id, email, email_lower, email_verified, first_name, last_name, name_lower, phone_number, avatar_url,
           metadata, password_hash, disabled, created_at, updated_at, last_sign_in_at)
         select 'usr_0' || lpad(i::text, 25, '0'), $1, e, e, 1, f, l, f || ' ' || l, null, null, '{}', null,
           (i % 100 = 3)::int, $2::bigint + i * 1000, $2::bigint + i * 1000, null
         from generate_series($3::int, $4::int) as i,
           lateral (select ($5::text[])[i % 10 + 1] as f, case when i % ($6::int / 10) = 7 then 'zyxwell' else 'smith' || (i % 5000) end as l) as names,
           lateral (select f || '.' || l || i || '@example' || (i % 10) || '.com' as e) as emails`,
        [tenantId, BASE_TIME, from, to, FIRST_NAMES, n],
      );
      await client.query(
        `insert into memberships (tenant_id, org_id, user_id, role, created_at)
         select $1, $2, 'usr_0' || lpad(i::text, 25, '0'), 'member', $3::bigint + i * 1000 from generate_series($4::int, $5::int) as i where i % 100 = 5`,
        [tenantId, orgId, BASE_TIME, from, to],
      );
    }
    // What autovacuum would do shortly after a bulk load; the planner needs the statistics.
    await client.query("vacuum analyze users");
    await client.query("vacuum analyze memberships");
    // As for SQLite: the load is on disk before anything is measured.
    await client.query("checkpoint");
  } finally {
    await client.end();
  }
}

/** Starts `bench/scale-server.mjs` on `databaseUrl` in a child process; `ask(type)` sends it a message and awaits the answer. */
async function startServer(databaseUrl) {
  const child = fork(fileURLToPath(new URL("./scale-server.mjs", import.meta.url)), {
    env: { ...process.env, HELLOJOHN_BENCH_DATABASE_URL: databaseUrl },
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map();
  let next = 0;
  const ready = new Promise((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`the server exited with ${code}`)));
    child.on("message", (message) => {
      if (message.ready) return resolve(message.ready);
      waiting.get(message.id)?.(message.value);
      waiting.delete(message.id);
    });
  });
  const ask = (type) =>
    new Promise((resolve) => {
      const id = next++;
      waiting.set(id, resolve);
      child.send({ id, type });
    });
  return { ...(await ready), ask, exited: new Promise((resolve) => child.once("exit", resolve)) };
}

/** One size: a fresh database with a server on it, seeded with `n` users, its calls ready and its totals checked. */
async function prepare(dialect, n) {
  const database = await freshDatabase(dialect);
  const size = { n, database, checks: [], results: {}, stalls: {} };
  try {
    return await seeded(dialect, size);
  } catch (error) {
    await finish(size);
    throw error;
  }
}

async function seeded(dialect, size) {
  const { n, database } = size;
  size.server = await startServer(database.url);
  const { url, tenantId, secretKey } = size.server;
  const hj = new HelloJohn({ tenantId, secretKey, baseUrl: url, maxRetries: 0 });
  const org = await hj.organizations.create({ name: "One percent" });

  const seedStart = process.hrtime.bigint();
  if (dialect === "sqlite") seedSqlite(database.url.slice("sqlite:".length), tenantId, org.id, n);
  else await seedPostgres(database.url, tenantId, org.id, n);
  size.seedMs = ms(seedStart);

  size.expectTotal = (label, page, total) => {
    if (page.total !== total) size.checks.push(`${label}: total ${page.total}, expected ${total}`);
  };
  // A cursor 9,900 rows deep (exists at both sizes): 99 pages of 100.
  let deepCursor;
  for (let page = 0; page < 99; page++) deepCursor = (await hj.users.list({ limit: 100, cursor: deepCursor })).nextCursor;

  const middle = userId(Math.floor(n / 2) + 1);
  size.hj = hj;
  size.calls = {
    "list first page": () => hj.users.list({ limit: 50 }),
    "list 9,900 rows deep": () => hj.users.list({ limit: 50, cursor: deepCursor }),
    "status disabled (1 %)": () => hj.users.list({ limit: 50, status: "disabled" }),
    "orgId (1 % members)": () => hj.users.list({ limit: 50, orgId: org.id }),
    "search rare name (10)": () => hj.users.list({ limit: 50, search: "Zyxwell" }),
    "search common name (10 %)": () => hj.users.list({ limit: 50, search: "james" }),
    'search "@example7.com"': () => hj.users.list({ limit: 50, search: "@example7.com" }),
    "search exact ID": () => hj.users.list({ limit: 50, search: middle }),
    getByEmail: () => hj.users.getByEmail(`mary.${lastName(n / 2 + 1, n)}${n / 2 + 1}@example1.com`),
    get: () => hj.users.get(middle),
  };
  const { calls, expectTotal } = size;
  expectTotal("first page", await calls["list first page"](), n);
  expectTotal("disabled", await calls["status disabled (1 %)"](), n / 100);
  expectTotal("org", await calls["orgId (1 % members)"](), n / 100);
  expectTotal("rare", await calls["search rare name (10)"](), 10);
  expectTotal("common", await calls["search common name (10 %)"](), n / 10);
  expectTotal("domain", await calls['search "@example7.com"'](), n / 10);
  expectTotal("id", await calls["search exact ID"](), 1);
  // Warm calls only from here on (not first-request compilation).
  for (const call of Object.values(calls)) await call();
  return size;
}

/**
 * Times `run(size, r)` REPEAT times at every size, the sizes taking turns call by call (the order
 * alternating), so that the machine's drift over the minutes of a run falls on all sizes alike
 * rather than on whichever was measured last. Records each size's median and its server's longest
 * event-loop stall during the calls.
 */
async function sample(sizes, name, run) {
  for (const size of sizes) await size.server.ask("reset");
  const samples = sizes.map(() => []);
  for (let r = 0; r < REPEAT; r++) {
    const order = r % 2 === 0 ? sizes : [...sizes].reverse();
    for (const size of order) samples[sizes.indexOf(size)].push(await timed(() => run(size, r)));
  }
  for (const [i, size] of sizes.entries()) {
    size.results[name] = median(samples[i]);
    size.stalls[name] = await size.server.ask("stall");
  }
}

async function measure(sizes) {
  for (const name of Object.keys(sizes[0].calls)) await sample(sizes, name, (size) => size.calls[name]());

  // Writes: each repeated on fresh users.
  const created = new Map(sizes.map((size) => [size, []]));
  await sample(sizes, "create", async (size, r) =>
    created.get(size).push(await size.hj.users.create({ email: `new${r}.${size.n}@bench.test`, firstName: "New", lastName: `User${r}` })),
  );
  await sample(sizes, "update (name)", (size, r) => size.hj.users.update(created.get(size)[r].id, { lastName: "Renamed" }));
  await sample(sizes, "disable", (size, r) => size.hj.users.disable(created.get(size)[r].id));
  await sample(sizes, "delete", (size, r) => size.hj.users.delete(created.get(size)[r].id));

  for (const size of sizes) {
    const { calls, results, stalls, server } = size;
    size.expectTotal("after writes", await calls["list first page"](), size.n);
    // users.get beside the heaviest search: gets issued one after another while it runs.
    const heaviest = Object.keys(calls)
      .filter((name) => name.startsWith("search"))
      .reduce((a, b) => (results[a] >= results[b] ? a : b));
    await server.ask("reset");
    const beside = [];
    for (let r = 0; r < 5; r++) {
      let done = false;
      const search = calls[heaviest]().finally(() => (done = true));
      while (!done) beside.push(await timed(calls.get));
      await search;
    }
    stalls[`get beside ${heaviest}`] = await server.ask("stall");
    const worst = Object.keys(stalls).reduce((a, b) => (stalls[a] >= stalls[b] ? a : b));
    Object.assign(size, {
      stallMs: stalls[worst],
      stallDuring: worst,
      heaviest,
      besideMs: median(beside),
      besideMaxMs: Math.max(...beside),
      rssMb: await server.ask("rss"),
    });
  }
}

async function finish(size) {
  if (size.server !== undefined) {
    await size.server.ask("close");
    await size.server.exited;
  }
  if (process.env.HELLOJOHN_BENCH_KEEP === "1") console.log(`kept ${size.database.url}`);
  else await size.database.drop();
}

const fmt = (value) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
for (const dialect of DIALECTS) {
  const runs = [];
  try {
    for (const n of SIZES) {
      process.stdout.write(`${dialect}: seeding ${n.toLocaleString("en-US")} users…\n`);
      runs.push(await prepare(dialect, n));
    }
    process.stdout.write(`${dialect}: measuring every size, call by call…\n`);
    await measure(runs);
  } finally {
    for (const size of runs) await finish(size);
  }
  const [small, large] = [runs[0], runs[runs.length - 1]];
  const head = `${dialect.padEnd(28)}` + runs.map((r) => `${r.n.toLocaleString("en-US").padStart(12)} ms`).join("") + "   ratio";
  console.log(`\n${head}`);
  for (const name of Object.keys(small.results)) {
    const cells = runs.map((r) => fmt(r.results[name]).padStart(15)).join("");
    console.log(`${name.padEnd(28)}${cells}   ${(large.results[name] / small.results[name]).toFixed(2)}×`);
  }
  for (const r of runs) {
    console.log(
      `${r.n.toLocaleString("en-US")} users: seed ${(r.seedMs / 1000).toFixed(1)} s, the server's longest event-loop stall ${fmt(r.stallMs)} ms (during "${r.stallDuring}"), ` +
        `users.get beside "${r.heaviest}" ${fmt(r.besideMs)} ms (max ${fmt(r.besideMaxMs)}) vs ${fmt(r.results.get)} ms alone, ` +
        `server peak RSS ${r.rssMb.toFixed(0)} MB${r.checks.length === 0 ? ", totals exact" : `, WRONG TOTALS: ${r.checks.join("; ")}`}`,
    );
  }
  console.log("");
}
