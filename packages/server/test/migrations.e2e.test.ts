import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../src/crypto/ids.js";
import { Database } from "../src/store/database.js";
import { migrate } from "../src/store/migrations.js";
import { UsersStore } from "../src/store/users.store.js";
import { backends, type Backend } from "./backends.js";

describe.each(await backends())("migrations 0010 and 0012 on $name", (backend: Backend) => {
  let dir = "";
  const urls: string[] = [];
  /** A fresh, empty database for one test. */
  const fresh = async (): Promise<string> => {
    const url = backend.name === "sqlite" ? `sqlite:${join(dir, `${urls.length}.db`)}` : await backend.create();
    urls.push(url);
    return url;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "hellojohn-migrate-"));
  });
  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    if (backend.name !== "sqlite") for (const url of urls) await backend.drop(url);
  });

  it("fills in the user of the events written before it, so a later deletion erases them too", async () => {
    const url = await fresh();
    const raw =
      backend.name === "sqlite"
        ? new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(url.slice("sqlite:".length)) }) })
        : new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
    try {
      await migrate(raw, "0008_console_sessions");
      const tenantId = newId("ten");
      const userId = newId("usr");
      const sessionId = newId("ses");
      const orgId = newId("org");
      const events: Array<[string, string, unknown]> = [
        ["user.created", userId, { data: { id: userId, email: "old@example.com" } }],
        ["session.created", sessionId, { data: { id: sessionId, user_id: userId } }],
        ["organization.created", orgId, { data: { id: orgId, name: "Old" } }],
        ["organization.member_added", orgId, { data: { org_id: orgId, user_id: userId, role: "admin" } }],
        ["user.deleted", "usr_other", { data: { id: "usr_other", deleted: true } }],
      ];
      let position = 0;
      for (const [type, subject, payload] of events) {
        position++;
        await sql`insert into events (id, tenant_id, position, type, subject_id, payload, created_at)
          values (${newId("evt")}, ${tenantId}, ${position}, ${type}, ${subject}, ${JSON.stringify(payload)}, ${Date.now()})`.execute(raw);
      }
      await migrate(raw);
      const rows = await sql<{ type: string; user_id: string | null; erased: number }>`select type, user_id, erased from events order by position`.execute(raw);
      expect(rows.rows.map((r) => [r.type, r.user_id, Number(r.erased)])).toEqual([
        ["user.created", userId, 0],
        ["session.created", userId, 0],
        ["organization.created", null, 0],
        ["organization.member_added", userId, 0],
        ["user.deleted", "usr_other", 0],
      ]);
    } finally {
      await raw.destroy();
    }
  });

  it("0012 copies each member's creation time and status into memberships and counts every organization's members", async () => {
    const url = await fresh();
    const raw =
      backend.name === "sqlite"
        ? new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(url.slice("sqlite:".length)) }) })
        : new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
    const tenantId = newId("ten");
    const orgId = newId("org");
    const now = Date.now();
    const ids = Array.from({ length: 9 }, () => newId("usr"));
    try {
      await migrate(raw, "0010_events_user");
      for (const [i, id] of ids.entries()) {
        await sql`insert into users (id, tenant_id, email, email_lower, email_verified, first_name, last_name, name_lower, phone_number, avatar_url, metadata, password_hash, disabled, created_at, updated_at, last_sign_in_at)
          values (${id}, ${tenantId}, ${`m${i}@old.test`}, ${`m${i}@old.test`}, 0, null, null, '', null, null, '{}', null, ${i % 3 === 0 ? 1 : 0}, ${now + i}, ${now + i}, null)`.execute(
          raw,
        );
      }
      await sql`insert into organizations (id, tenant_id, name, metadata, created_at, updated_at) values (${orgId}, ${tenantId}, 'Old org', '{}', ${now}, ${now})`.execute(raw);
      for (const id of ids.slice(0, 7)) {
        await sql`insert into memberships (tenant_id, org_id, user_id, role, created_at) values (${tenantId}, ${orgId}, ${id}, 'member', ${now})`.execute(raw);
      }
    } finally {
      await raw.destroy();
    }
    const database = await Database.open(url);
    try {
      const store = new UsersStore(database);
      // Members 0..6; 0, 3 and 6 are disabled.
      expect(await store.count(database.reader, tenantId, { orgId })).toBe(7);
      expect(await store.count(database.reader, tenantId, { orgId, status: "disabled" })).toBe(3);
      const page = await store.page(database.reader, tenantId, { orgId, status: "active" }, 10, undefined, "matches");
      expect(page.map((r) => r.id)).toEqual([ids[5], ids[4], ids[2], ids[1]]);
      // The triggers keep it so from here on.
      await database.db
        .updateTable("users")
        .set({ disabled: 0 })
        .where("id", "=", ids[0] as string)
        .execute();
      await database.db
        .deleteFrom("memberships")
        .where("user_id", "=", ids[1] as string)
        .execute();
      expect(await store.count(database.reader, tenantId, { orgId, status: "disabled" })).toBe(2);
      expect(await store.count(database.reader, tenantId, { orgId, status: "active" })).toBe(4);
    } finally {
      await database.close();
    }
  });
});
