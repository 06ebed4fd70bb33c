import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type HelloJohnServer } from "../src/app.js";
import { createConsoleLoginLink } from "../src/console/login-link.js";
import { newId } from "../src/crypto/ids.js";
import { MasterKey } from "../src/crypto/master-key.js";
import type { Keyset } from "../src/domain/cursor.js";
import { UsersStore, type UserFilters, type UserRow } from "../src/store/users.store.js";
import { backends, type Backend } from "./backends.js";

// The console's search answers a keystroke with the page alone (GET /console/api/users, no
// count) and the exact total from its own request (GET /console/api/users/count). The page
// must be exactly the public API's page (same users, order and cursor), whichever way it is
// found; the total exactly the API's total. On a SQLite file, counts run on their own reader
// lane, where a count abandoned while it waits is never run.

/** A SQLite file, so the server reads through its worker lanes (the suites' SQLite is in memory). */
const sqliteFile: Backend = {
  name: "sqlite",
  async create() {
    return `sqlite:${join(mkdtempSync(join(tmpdir(), "hellojohn-console-search-")), "search.db")}`;
  },
  async drop(url) {
    rmSync(join(url.slice("sqlite:".length), ".."), { recursive: true, force: true });
  },
};

const USERS = 6200;
const LAST = ["common", "hopper", "common", "liskov", "common", "ritchie"];

/** The seeded user `i`: newest first by `i`, three at a time sharing a creation time (the ID breaks the tie). */
function seedRow(tenantId: string, i: number, base: number): UserRow {
  // "zebrafinch": one user among the newest, the others past the first 5,000 (a sparse term there);
  // "kestrel": every 400th (sparse everywhere); "common": every other user (dense).
  const first = [10, 5100, 5200, 6150].includes(i) ? "Zebrafinch" : i % 400 === 7 ? "Kestrel" : "Ada";
  const last = LAST[i % LAST.length] as string;
  const email = `u${i}@ex${i % 4}.test`;
  const username = i % 11 === 0 ? `handle_${i}` : null;
  return {
    id: newId("usr"),
    tenant_id: tenantId,
    email,
    email_lower: email,
    email_verified: 1,
    username,
    username_lower: username,
    first_name: first,
    last_name: last,
    name_lower: `${first} ${last}`.toLowerCase(),
    phone_number: null,
    avatar_url: null,
    metadata: "{}",
    password_hash: null,
    disabled: i % 7 === 0 ? 1 : 0,
    created_at: base - Math.floor(i / 3) * 1000,
    updated_at: base,
    last_sign_in_at: null,
  };
}

describe.each(
  [...(await backends()), sqliteFile].map((backend, i) => ({ ...backend, label: i === 0 ? "sqlite (memory)" : backend === sqliteFile ? "sqlite (file)" : backend.name })),
)("console search on $label", (backend) => {
  let server: HelloJohnServer;
  let url: string;
  let databaseUrl: string;
  let tenantId: string;
  let secretKey: string;
  let cookie: string;
  let orgId: string;
  let rows: UserRow[];

  beforeAll(async () => {
    databaseUrl = await backend.create();
    server = await createServer({ databaseUrl, masterKey: MasterKey.generate(), passwordHashing: "unsafe-test-only", console: true });
    url = await server.listen();
    tenantId = (await server.tenants.createTenant("Search tenant")).id;
    secretKey = (await server.tenants.createApiKey(tenantId, "seed")).secretKey;
    // Seeded straight into the tables (the triggers keep counters, search index and memberships right): 6,200 API calls would take the suite's time.
    const base = Date.now();
    rows = Array.from({ length: USERS }, (_, i) => seedRow(tenantId, i, base));
    const db = server.database.db;
    for (let i = 0; i < rows.length; i += 500)
      await db
        .insertInto("users")
        .values(rows.slice(i, i + 500))
        .execute();
    orgId = newId("org");
    await db.insertInto("organizations").values({ id: orgId, tenant_id: tenantId, name: "Search org", metadata: "{}", created_at: base, updated_at: base }).execute();
    const members = rows.filter((_, i) => i % 5 === 0 || i === 5200);
    for (let i = 0; i < members.length; i += 500) {
      await db
        .insertInto("memberships")
        .values(members.slice(i, i + 500).map((row) => ({ tenant_id: tenantId, org_id: orgId, user_id: row.id, role: "member", created_at: base })))
        .execute();
    }
    const link = await createConsoleLoginLink(server, { tenantId, operator: "searcher", baseUrl: url });
    const login = await fetch(`${url}/console/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: new URL(link.url).hash.replace("#login=", "") }),
    });
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
  });
  afterAll(async () => {
    await server.close();
    await backend.drop(databaseUrl);
  });

  const api = async (path: string) => {
    const response = await fetch(`${url}/v1${path}`, { headers: { authorization: `Bearer ${secretKey}`, "hellojohn-tenant-id": tenantId } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as { data: { id: string }[]; next_cursor: string | null; total: number };
  };
  const consoleApi = async (path: string) => {
    const response = await fetch(`${url}/console/api${path}`, { headers: { cookie } });
    expect(response.status, path).toBe(200);
    return (await response.json()) as { data: { id: string }[]; next_cursor: string | null; total: number | null };
  };
  const qs = (values: Record<string, string | number | undefined>) =>
    new URLSearchParams(Object.entries(values).flatMap(([key, value]): [string, string][] => (value === undefined ? [] : [[key, String(value)]]))).toString();

  const searches = () => ["", "common", "zebrafinch", "kestrel", "ex2.test", "u51", "handle_1", "nobody-has-this", "co", "ZEBRA", rows[5150]?.id as string];
  const statuses = [undefined, "active", "disabled"] as const;

  it("answers each page exactly as the public API does (rows, order, cursor) and the total on its own", async () => {
    for (const search of searches()) {
      for (const status of statuses) {
        for (const org of [undefined, orgId]) {
          const filters = { search: search === "" ? undefined : search, status, org_id: org };
          const label = JSON.stringify(filters);
          let cursor: string | undefined;
          let listed: Awaited<ReturnType<typeof api>> | undefined;
          // Three pages of 40 (the API's cursor fed to both), then one page of 100 from there.
          for (const limit of [40, 40, 40, 100]) {
            listed = await api(`/users?${qs({ ...filters, limit, cursor })}`);
            const page = await consoleApi(`/users?${qs({ ...filters, limit, cursor })}`);
            expect(page, `${label} after ${cursor}`).toEqual({ data: listed.data, next_cursor: listed.next_cursor, total: null });
            if (listed.next_cursor === null) break;
            cursor = listed.next_cursor;
          }
          expect((await consoleApi(`/users/count?${qs(filters)}`)).total ?? Number.NaN, label).toBe(listed?.total);
        }
      }
    }
  });

  it("finds the same page through a scan budget of any size, from any key", async () => {
    const store = new UsersStore(server.database);
    const db = server.database.reader;
    const keyOf = (i: number): Keyset => ({ createdAt: (rows[i] as UserRow).created_at, id: (rows[i] as UserRow).id });
    for (const search of ["common", "zebrafinch", "kestrel", "ex2.test", "handle_1", "nobody-has-this", "co"]) {
      for (const status of statuses) {
        for (const org of [undefined, orgId]) {
          const filters: UserFilters = { search, status, orgId: org };
          for (const after of [undefined, keyOf(1), keyOf(4990), keyOf(5101), keyOf(6198)]) {
            const expected = (await store.page(db, tenantId, filters, 7, after, "scan")).map((row) => row.id);
            for (const budget of [1, 2, 8, 300, 5000]) {
              const label = `${JSON.stringify(filters)} after ${JSON.stringify(after)} budget ${budget}`;
              expect(
                (await store.pageWithoutTotal(db, tenantId, filters, 7, after, budget)).map((row) => row.id),
                label,
              ).toEqual(expected);
            }
          }
        }
      }
    }
  });

  it.runIf(backend.label === "sqlite (file)")("runs counts on their own lane, where a count abandoned while it waits never runs", async () => {
    const lanes = server.database.lanes;
    if (lanes === undefined) throw new Error("a SQLite file reads through lanes");
    const store = new UsersStore(server.database);
    const expected = rows.filter((row) => row.name_lower.includes("common")).length;

    expect(await store.count(server.database.countReader(), tenantId, { search: "common" })).toBe(expected);

    // Three counts queued in one go: the first runs, the second is abandoned while it waits, the third runs.
    const count = sql<{ n: number }>`select count(*) as n from users where tenant_id = ${tenantId}`.compile(server.database.countReader());
    const before = lanes.count.stats;
    const abandoned = new AbortController();
    const first = lanes.count.run(count);
    const second = lanes.count.run(count, abandoned.signal);
    const third = lanes.count.run(count);
    expect(lanes.count.stats.waiting).toBe(2);
    abandoned.abort();
    expect(lanes.count.stats.waiting).toBe(1);
    await expect(second).rejects.toThrow(/abort/i);
    expect([await first, await third]).toEqual([[{ n: USERS }], [{ n: USERS }]]);
    expect(lanes.count.stats.dispatched - before.dispatched).toBe(2);
    expect(lanes.count.stats.dropped - before.dropped).toBe(1);
    // Already abandoned: never queued.
    await expect(lanes.count.run(count, abandoned.signal)).rejects.toThrow(/abort/i);
    expect(lanes.count.stats.dispatched - before.dispatched).toBe(2);

    // A slow count holds the count lane: the page of the next keystroke reads on the page lane, not behind it.
    const slow = sql<{ n: number }>`with recursive n(x) as (select 1 union all select x + 1 from n where x < 3000000) select count(*) as n from n`.execute(
      server.database.countReader(),
    );
    await expect.poll(() => lanes.count.stats.dispatched).toBe(before.dispatched + 3);
    const held = lanes.count.stats;
    const pageLane = lanes.page.stats.dispatched;
    const page = await consoleApi(`/users?${qs({ search: "common", limit: 25 })}`);
    expect(page.data.length).toBe(25);
    expect(lanes.page.stats.dispatched).toBeGreaterThan(pageLane);
    expect(lanes.count.stats.dispatched).toBe(held.dispatched);

    // The browser drops the count request while it waits behind the slow one: the server drops the count.
    const browser = new AbortController();
    const request = fetch(`${url}/console/api/users/count?${qs({ search: "common" })}`, { headers: { cookie }, signal: browser.signal }).catch((error: unknown) => error);
    await expect.poll(() => lanes.count.stats.waiting, { timeout: 10_000, interval: 2 }).toBe(1);
    browser.abort();
    expect(await request).toBeInstanceOf(Error);
    await expect.poll(() => lanes.count.stats.dropped, { timeout: 10_000, interval: 2 }).toBe(held.dropped + 1);
    expect((await slow).rows[0]?.n).toBe(3000000);
    expect(lanes.count.stats.dispatched).toBe(held.dispatched);

    // The next keystroke's count runs.
    expect((await consoleApi(`/users/count?${qs({ search: "common" })}`)).total).toBe(expected);
    expect(lanes.count.stats.dispatched).toBe(held.dispatched + 1);
  });
});
