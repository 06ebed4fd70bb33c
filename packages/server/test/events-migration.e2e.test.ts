import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { Kysely, PostgresDialect, SqliteDialect, sql } from "kysely";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../src/crypto/ids.js";
import { migrate } from "../src/store/migrations.js";
import { backends, type Backend } from "./backends.js";

describe.each(await backends())("migration 0010 (the user of each event) on $name", (backend: Backend) => {
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

  it("fills in the user of the events written before it, so a later deletion erases them too", async () => {
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
});
