// pnpm bench — prints, never asserts.
// The console's users page at 1,000,000 users: how long one search keystroke takes
// end to end, on SQLite. A keystroke sends two requests at once, as the console does:
// the page of 25 (GET /console/api/users, answered without counting) and the exact total
// (GET /console/api/users/count, on its own reader lane); each is timed from the keystroke.
// Each query is the next keystroke of typing a name, then an email, then an ID, plus the
// unfiltered first page and the status filter, side by side in one run.
// `USERS=200000 node bench/console-search.mjs` for a quicker run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import BetterSqlite3 from "better-sqlite3";

const { createServer, createConsoleLoginLink, MasterKey } = await import("../dist/index.js");
const USERS = Number(process.env.USERS ?? 1_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
const FIRST = ["ada", "grace", "linus", "margaret", "ken", "barbara", "dennis", "frances", "edsger", "radia", "tim", "hedy", "alan", "john", "donald", "niklaus"];
const LAST = [
  "lovelace",
  "hopper",
  "torvalds",
  "hamilton",
  "thompson",
  "liskov",
  "ritchie",
  "allen",
  "dijkstra",
  "perlman",
  "berners",
  "lamarr",
  "turing",
  "backus",
  "knuth",
  "wirth",
];

const dir = mkdtempSync(join(tmpdir(), "hellojohn-console-bench-"));
const file = join(dir, "bench.db");
const masterKey = MasterKey.generate();
const setup = await createServer({ databaseUrl: `sqlite:${file}`, masterKey, passwordHashing: "unsafe-test-only" });
const tenant = await setup.tenants.createTenant("Bench");
await setup.close();

// Seed straight into the file: a million API calls would measure the API, not the page.
const seedStarted = performance.now();
const sqlite = new BetterSqlite3(file);
sqlite.pragma("journal_mode = WAL");
const insert = sqlite.prepare(
  "INSERT INTO users (id, tenant_id, email, email_lower, email_verified, first_name, last_name, name_lower, phone_number, avatar_url, metadata, password_hash, disabled, created_at, updated_at, last_sign_in_at) VALUES (?, ?, ?, ?, 1, ?, ?, ?, NULL, NULL, '{}', NULL, ?, ?, ?, NULL)",
);
const now = Date.now();
let sampleId = "";
const seed = sqlite.transaction((from, to) => {
  for (let i = from; i < to; i++) {
    const first = FIRST[i % FIRST.length];
    const last = LAST[Math.floor(i / FIRST.length) % LAST.length];
    const email = `${first}.${last}.${i}@example.com`;
    const idBody = Array.from(randomBytes(16), (b) => CROCKFORD[b % 32]).join("");
    const id = `usr_${(now - i).toString(32).toUpperCase().padStart(10, "0").slice(-10)}${idBody}`;
    if (i === Math.floor(USERS / 2)) sampleId = id;
    const cap = (s) => s[0].toUpperCase() + s.slice(1);
    insert.run(id, tenant.id, email, email, cap(first), cap(last), `${first} ${last}`, i % 50 === 0 ? 1 : 0, now - i * 1000, now - i * 1000);
  }
});
for (let i = 0; i < USERS; i += 50_000) seed(i, Math.min(USERS, i + 50_000));
sqlite.pragma("wal_checkpoint(TRUNCATE)");
sqlite.close();
console.log(`seeded ${USERS.toLocaleString("en-US")} users in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`);

const server = await createServer({ databaseUrl: `sqlite:${file}`, masterKey, passwordHashing: "unsafe-test-only", console: true });
const url = await server.listen();
const link = await createConsoleLoginLink(server, { tenantId: tenant.id, operator: "bench", baseUrl: url });
const login = await fetch(`${url}/console/api/login`, {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ token: new URL(link.url).hash.slice(7) }),
});
const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];

async function timed(path) {
  const started = performance.now();
  const response = await fetch(`${url}/console/api${path}`, { headers: { cookie } });
  const body = await response.json();
  if (response.status !== 200) throw new Error(`${path}: ${response.status} ${JSON.stringify(body)}`);
  return { ms: performance.now() - started, body };
}

/** One keystroke: the page and the count requested together, each timed from the keystroke to its answer. */
async function keystroke(query) {
  const [page, count] = await Promise.all([timed(`/users?limit=25&${query}`), timed(`/users/count?${query}`)]);
  return { pageMs: page.ms, countMs: count.ms, total: count.body.total };
}

const typed = (word) => Array.from({ length: word.length }, (_, i) => `search=${encodeURIComponent(word.slice(0, i + 1))}`);
const queries = ["", "status=disabled", ...typed("lovelace"), ...typed("ada.hopper.17"), `search=${sampleId}`];
const pageTimes = new Map(queries.map((q) => [q, []]));
const countTimes = new Map(queries.map((q) => [q, []]));
const totals = new Map();
for (let round = 0; round < ROUNDS; round++) {
  for (const q of queries) {
    const { pageMs, countMs, total } = await keystroke(q);
    pageTimes.get(q).push(pageMs);
    countTimes.get(q).push(countMs);
    totals.set(q, total);
  }
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`\nconsole users page at ${USERS.toLocaleString("en-US")} users, SQLite, median of ${ROUNDS}; page and count requested together per keystroke:`);
console.log("query".padEnd(44), "page ms".padStart(8), "count ms".padStart(9), "total".padStart(10));
for (const q of queries) {
  console.log(
    (q === "" ? "(first page, no filter)" : q).padEnd(44),
    median(pageTimes.get(q)).toFixed(1).padStart(8),
    median(countTimes.get(q)).toFixed(1).padStart(9),
    String(totals.get(q)).padStart(10),
  );
}
const searches = queries.filter((q) => q.startsWith("search="));
const pages = searches.map((q) => median(pageTimes.get(q)));
const counts = searches.map((q) => median(countTimes.get(q)));
console.log(`\nkeystroke → page < 100 ms (target): median ${median(pages).toFixed(1)} ms, worst ${Math.max(...pages).toFixed(1)} ms`);
console.log(`keystroke → exact total (follows):   median ${median(counts).toFixed(1)} ms, worst ${Math.max(...counts).toFixed(1)} ms`);
await server.close();
rmSync(dir, { recursive: true, force: true });
