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

describe.each(await backends())("migration 0011 (the resource of each idempotency record) on $name", (backend: Backend) => {
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

  it("keeps the user each record was about as its resource, indexed for exact purges", async () => {
    const raw =
      backend.name === "sqlite"
        ? new Kysely<unknown>({ dialect: new SqliteDialect({ database: new BetterSqlite3(url.slice("sqlite:".length)) }) })
        : new Kysely<unknown>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 1 }) }) });
    try {
      await migrate(raw, "0010_events_user");
      const tenantId = newId("ten");
      const userId = newId("usr");
      for (const [key, subject] of [
        ["about-user", userId],
        ["about-nobody", null],
      ] as const) {
        await sql`insert into idempotency_keys (tenant_id, key, fingerprint, status_code, response_body, created_at, subject_user_id)
          values (${tenantId}, ${key}, ${"f"}, ${200}, ${"{}"}, ${Date.now()}, ${subject})`.execute(raw);
      }
      await migrate(raw);
      const rows = await sql<{ key: string; resource_id: string | null }>`select key, resource_id from idempotency_keys order by key`.execute(raw);
      expect(rows.rows).toEqual([
        { key: "about-nobody", resource_id: null },
        { key: "about-user", resource_id: userId },
      ]);
      const indexes =
        backend.name === "sqlite"
          ? await sql<{ name: string }>`select name from sqlite_master where type = 'index' and tbl_name = 'idempotency_keys'`.execute(raw)
          : await sql<{ name: string }>`select indexname as name from pg_indexes where tablename = 'idempotency_keys'`.execute(raw);
      expect(indexes.rows.map((r) => r.name)).toContain("idempotency_keys_resource");
      expect(indexes.rows.map((r) => r.name)).not.toContain("idempotency_keys_subject");
    } finally {
      await raw.destroy();
    }
  });
});
