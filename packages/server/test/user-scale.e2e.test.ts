import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { User } from "@hellojohn/node";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../src/crypto/ids.js";
import { Database } from "../src/store/database.js";
import { migrate } from "../src/store/migrations.js";
import { UsersStore, type PagePlan, type UserFilters } from "../src/store/users.store.js";
import { startTestServer } from "../src/testing.js";
import { backends, type Backend } from "./backends.js";
import { harness, type Harness } from "./helpers.js";

// What keeps totals and search fast at a million users (counter rows, trigram
// indexes, the page plans) must give exactly the answers a plain scan gives.

/** The search rule, written out in JS: a case-insensitive substring of email or "first last", or exactly the ID. */
function matches(user: User, needle: string): boolean {
  const lower = needle.toLowerCase();
  const name = [user.firstName, user.lastName]
    .filter((p) => p !== null)
    .join(" ")
    .toLowerCase();
  return user.id === needle || user.email.toLowerCase().includes(lower) || name.includes(lower);
}

const newestFirst = (a: User, b: User): number => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1);

/** Every page of `filters` through `plan`, following the keyset as the service does. */
async function allPages(store: UsersStore, database: Database, tenantId: string, filters: UserFilters, plan: PagePlan): Promise<string[]> {
  const ids: string[] = [];
  let after: { createdAt: number; id: string } | undefined;
  for (let page = 0; page < 100; page++) {
    const rows = await store.page(database.reader, tenantId, filters, 7, after, plan);
    ids.push(...rows.slice(0, 7).map((r) => r.id));
    if (rows.length <= 7) return ids;
    const last = rows[6] as { created_at: number; id: string };
    after = { createdAt: last.created_at, id: last.id };
  }
  throw new Error("more than 100 pages");
}

describe.each(await backends())("users at scale, exact on $name", (backend) => {
  let h: Harness;
  let users: User[] = [];
  const alive = () => users.filter((u) => u !== undefined);

  beforeAll(async () => {
    h = await harness(backend);
  });
  afterAll(async () => {
    expect(h.checker.violations).toEqual([]);
    await h.close();
  });

  it("keeps totals exact through concurrent creates, deletes and disables", async () => {
    const names = ["Ana", "Ángel", "Zoë", "Σίσυφος", "STRASSE", "Straße", "İlkay", "O'Brien"];
    users = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        h.hj.users.create({
          email: `Scale.${i}${i % 3 === 0 ? "%x" : i % 3 === 1 ? "_y" : "\\z"}@Example${i % 4}.com`,
          firstName: names[i % names.length] as string,
          lastName: i % 10 === 7 ? "Quixotic" : `Family${i % 5}`,
        }),
      ),
    );
    const doomed = users.filter((_, i) => i % 6 === 1);
    const disabled = users.filter((_, i) => i % 6 === 2);
    await Promise.all([...doomed.map((u) => h.hj.users.delete(u.id)), ...disabled.map((u) => h.hj.users.disable(u.id))]);
    users = users.filter((u) => !doomed.includes(u)).map((u) => (disabled.includes(u) ? { ...u, disabled: true } : u));

    const db = h.t.server.database.db;
    const counted = await db
      .selectFrom("users")
      .select((eb) => ["disabled", eb.fn.countAll<number>().as("n")])
      .where("tenant_id", "=", h.t.tenantId)
      .groupBy("disabled")
      .execute();
    const counters = await db.selectFrom("user_counts").select(["disabled", "n"]).where("tenant_id", "=", h.t.tenantId).execute();
    const byStatus = (rows: { disabled: number; n: number | string | bigint }[]) => Object.fromEntries(rows.filter((r) => Number(r.n) > 0).map((r) => [r.disabled, Number(r.n)]));
    expect(byStatus(counters)).toEqual(byStatus(counted));
    expect(byStatus(counters)).toEqual({ 0: 40, 1: 10 });

    expect((await h.hj.users.list({ limit: 1 })).total).toBe(50);
    expect((await h.hj.users.list({ limit: 1, status: "active" })).total).toBe(40);
    expect((await h.hj.users.list({ limit: 1, status: "disabled" })).total).toBe(10);
    // Enabling moves a user back; a second disable of the same user changes nothing.
    await h.hj.users.enable((disabled[0] as User).id);
    await h.hj.users.disable((disabled[1] as User).id);
    expect((await h.hj.users.list({ limit: 1, status: "disabled" })).total).toBe(9);
    await h.hj.users.disable((disabled[0] as User).id);
  });

  it("answers every search, filter and plan exactly as the search rule says, newest first", async () => {
    const store = new UsersStore(h.t.server.database);
    const database = h.t.server.database;
    const org = await h.hj.organizations.create({ name: "Scale org" });
    const members = alive().filter((_, i) => i % 3 === 0);
    for (const u of members) await h.hj.organizations.addMember(org.id, { userId: u.id });
    const needles = [
      "quixotic",
      "QUIXOTIC",
      "example2.com",
      "%x@",
      "_y@",
      "\\z@",
      "ángel",
      "ÁNGEL",
      "zoË",
      "σίσυφος",
      "ΣΊΣΥΦΟΣ",
      "strasse",
      "straße",
      "i̇lkay",
      "o'brien",
      "an",
      "%",
      "_",
      "\\",
      "ß",
      "nobody-has-this",
      (alive()[5] as User).id,
      (alive()[5] as User).id.slice(0, 12),
    ];
    for (const needle of needles) {
      for (const extra of [{}, { status: "disabled" as const }, { orgId: org.id }]) {
        const expected = alive()
          .filter((u) => matches(u, needle))
          .filter((u) => !("status" in extra) || u.disabled)
          .filter((u) => !("orgId" in extra) || members.includes(u))
          .sort(newestFirst)
          .map((u) => u.id);
        const filters: UserFilters = { search: needle, ...extra };
        const label = `${JSON.stringify(needle)} ${JSON.stringify(extra)}`;
        expect(await store.count(database.reader, h.t.tenantId, filters), label).toBe(expected.length);
        expect(await allPages(store, database, h.t.tenantId, filters, "scan"), label).toEqual(expected);
        expect(await allPages(store, database, h.t.tenantId, filters, "matches"), label).toEqual(expected);
      }
    }
    // Through the API, with the plan the service picks.
    const page = await h.hj.users.list({ search: "QUIXOTIC", limit: 2 });
    expect(page.total).toBe(alive().filter((u) => matches(u, "quixotic")).length);
    const all: string[] = [];
    for await (const u of h.hj.users.list({ search: "example", orgId: org.id, limit: 3 })) all.push(u.id);
    expect(all).toEqual([...members].sort(newestFirst).map((u) => u.id));
    expect((await h.hj.users.list({ orgId: org.id })).total).toBe(members.length);
  });

  it("keeps organization totals and pages exact through concurrent membership changes, disables, enables and deletes", async () => {
    const store = new UsersStore(h.t.server.database);
    const database = h.t.server.database;
    const org = await h.hj.organizations.create({ name: "Counted org" });
    const people = await Promise.all(Array.from({ length: 36 }, (_, i) => h.hj.users.create({ email: `member.${i}@counted.test` })));
    await Promise.all(people.slice(0, 30).map((u) => h.hj.organizations.addMember(org.id, { userId: u.id })));
    const removed = people.slice(0, 4);
    const deleted = people.slice(4, 8);
    const disabled = people.slice(8, 16);
    const outsiders = people.slice(30); // disabled, never members
    await Promise.all([
      ...removed.map((u) => h.hj.organizations.removeMember(org.id, u.id)),
      ...deleted.map((u) => h.hj.users.delete(u.id)),
      ...disabled.map((u) => h.hj.users.disable(u.id)),
      ...outsiders.map((u) => h.hj.users.disable(u.id)),
      ...people.slice(16, 20).map((u) => h.hj.organizations.updateMember(org.id, u.id, { role: "admin" })),
    ]);
    await h.hj.users.enable((disabled[0] as User).id);
    await h.hj.organizations.addMember(org.id, { userId: (outsiders[0] as User).id });
    const members = [...people.slice(8, 30), outsiders[0] as User];
    const isDisabled = (u: User) => disabled.slice(1).includes(u) || u === outsiders[0];

    const db = database.db;
    const counters = await db.selectFrom("org_member_counts").select(["disabled", "n"]).where("org_id", "=", org.id).execute();
    const byStatus = Object.fromEntries(counters.filter((r) => Number(r.n) > 0).map((r) => [r.disabled, Number(r.n)]));
    expect(byStatus).toEqual({ 0: 15, 1: 8 });
    const expected = (status?: "active" | "disabled") =>
      members
        .filter((u) => status === undefined || (status === "disabled") === isDisabled(u))
        .sort(newestFirst)
        .map((u) => u.id);
    for (const status of [undefined, "active", "disabled"] as const) {
      const filters: UserFilters = status === undefined ? { orgId: org.id } : { orgId: org.id, status };
      expect(await store.count(database.reader, h.t.tenantId, filters), String(status)).toBe(expected(status).length);
      expect(await allPages(store, database, h.t.tenantId, filters, "matches"), String(status)).toEqual(expected(status));
      expect(await allPages(store, database, h.t.tenantId, filters, "scan"), String(status)).toEqual(expected(status));
      const listed: string[] = [];
      for await (const u of h.hj.users.list({ ...filters, limit: 4 })) listed.push(u.id);
      expect(listed).toEqual(expected(status));
      expect((await h.hj.users.list({ ...filters, limit: 1 })).total).toBe(expected(status).length);
    }
    // Another tenant's caller counts nothing in this organization.
    const other = await h.t.server.tenants.createTenant("Org outsider");
    expect(await store.count(database.reader, other.id, { orgId: org.id })).toBe(0);
    // Deleting the organization empties its counters.
    await h.hj.organizations.delete(org.id);
    const left = await db.selectFrom("org_member_counts").select("n").where("org_id", "=", org.id).execute();
    expect(left.map((r) => Number(r.n)).filter((n) => n !== 0)).toEqual([]);
  });

  it("finds users by their new email and name, and no longer by the old ones", async () => {
    const user = await h.hj.users.create({ email: "before.rename@oldmail.test", firstName: "Bartholomew", lastName: "Oldname" });
    expect((await h.hj.users.list({ search: "oldmail" })).users.map((u) => u.id)).toEqual([user.id]);
    await h.hj.users.update(user.id, { email: "after.rename@newmail.test", lastName: "Newname" });
    expect((await h.hj.users.list({ search: "oldmail" })).total).toBe(0);
    expect((await h.hj.users.list({ search: "oldname" })).total).toBe(0);
    expect((await h.hj.users.list({ search: "newmail" })).users.map((u) => u.id)).toEqual([user.id]);
    expect((await h.hj.users.list({ search: "bartholomew newname" })).users.map((u) => u.id)).toEqual([user.id]);
    await h.hj.users.update(user.id, { firstName: null });
    expect((await h.hj.users.list({ search: "bartholomew" })).total).toBe(0);
    expect((await h.hj.users.list({ search: "newname" })).users.map((u) => u.id)).toEqual([user.id]);
    await h.hj.users.delete(user.id);
    expect((await h.hj.users.list({ search: "newname" })).total).toBe(0);
  });

  it("never counts or finds another tenant's users", async () => {
    const other = await h.t.server.tenants.createTenant("Other");
    const store = new UsersStore(h.t.server.database);
    await h.t.server.database.db
      .insertInto("users")
      .values({
        id: newId("usr"),
        tenant_id: other.id,
        email: "quixotic@other.test",
        email_lower: "quixotic@other.test",
        email_verified: 0,
        first_name: null,
        last_name: null,
        name_lower: "",
        phone_number: null,
        avatar_url: null,
        metadata: "{}",
        password_hash: null,
        disabled: 0,
        created_at: Date.now(),
        updated_at: Date.now(),
        last_sign_in_at: null,
      })
      .execute();
    const mine = alive().filter((u) => matches(u, "quixotic")).length;
    expect((await h.hj.users.list({ search: "quixotic" })).total).toBe(mine);
    expect(await store.count(h.t.server.database.reader, other.id, { search: "quixotic" })).toBe(1);
    expect(await store.count(h.t.server.database.reader, other.id, {})).toBe(1);
  });
});

describe.each(await backends())("migration 0003 on $name", (backend: Backend) => {
  let url = "";
  let dir = "";
  beforeAll(async () => {
    if (backend.name === "sqlite") {
      dir = mkdtempSync(join(tmpdir(), "hellojohn-migrate-"));
      url = `sqlite:${join(dir, "old.db")}`;
    } else url = await backend.create();
  });
  afterAll(async () => {
    if (backend.name === "sqlite") rmSync(dir, { recursive: true, force: true });
    else await backend.drop(url);
  });

  it("brings a database of the first schema, with users in it, up to date, then lists from a file through the reader", async () => {
    // A database as the first release left it: only migration 0001, users already there.
    const old = url;
    const raw =
      backend.name === "sqlite"
        ? new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(old.slice("sqlite:".length)) }) })
        : new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: old, max: 1 }) }) });
    await migrate(raw, "0001_initial");
    const tenantId = newId("ten");
    const now = Date.now();
    const rows = Array.from({ length: 12 }, (_, i) => ({
      id: newId("usr"),
      tenant_id: tenantId,
      email: `Old.User${i}@Legacy.test`,
      email_lower: `old.user${i}@legacy.test`,
      email_verified: 0,
      first_name: i === 4 ? "Wilhelmina" : null,
      last_name: null,
      name_lower: i === 4 ? "wilhelmina" : "",
      phone_number: null,
      avatar_url: null,
      metadata: "{}",
      password_hash: null,
      disabled: i % 4 === 0 ? 1 : 0,
      created_at: now + i,
      updated_at: now + i,
      last_sign_in_at: null,
    }));
    for (const row of rows) {
      await sql`insert into users (id, tenant_id, email, email_lower, email_verified, first_name, last_name, name_lower, phone_number, avatar_url, metadata, password_hash, disabled, created_at, updated_at, last_sign_in_at)
        values (${row.id}, ${row.tenant_id}, ${row.email}, ${row.email_lower}, ${row.email_verified}, ${row.first_name}, ${row.last_name}, ${row.name_lower}, null, null, '{}', null, ${row.disabled}, ${row.created_at}, ${row.updated_at}, null)`.execute(
        raw,
      );
    }
    await raw.destroy();

    const database = await Database.open(old);
    try {
      const store = new UsersStore(database);
      expect(database.reader === database.db).toBe(backend.name === "postgres");
      expect(await store.count(database.reader, tenantId, {})).toBe(12);
      expect(await store.count(database.reader, tenantId, { status: "disabled" })).toBe(3);
      expect(await store.count(database.reader, tenantId, { search: "legacy.test" })).toBe(12);
      expect((await store.page(database.reader, tenantId, { search: "WILHELMINA" }, 10, undefined, "matches")).map((r) => r.id)).toEqual([rows[4]?.id]);
      expect((await store.page(database.reader, tenantId, { search: "user1" }, 10, undefined, "matches")).map((r) => r.id)).toEqual(
        [rows[11], rows[10], rows[1]].map((r) => r?.id),
      );
    } finally {
      await database.close();
    }

    // The server on the upgraded database: a file SQLite database lists through the reader thread and sees writes at once.
    const t = await startTestServer({ databaseUrl: old });
    try {
      const created = await t.client.users.create({ email: "fresh@legacy.test", firstName: "Wilhelmina" });
      const page = await t.client.users.list({ search: "wilhelmina" });
      expect(page.users.map((u) => u.id)).toEqual([created.id]);
      expect((await t.client.users.list({})).total).toBe(1);
    } finally {
      await t.close();
    }
  });
});
