import { CompiledQuery } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UsersStore } from "../src/store/users.store.js";
import { backends } from "./backends.js";
import { harness, type Harness } from "./helpers.js";

// "The cost of a page does not grow with its depth": the page query is a seek
// on the (tenant_id, created_at, id) index, in index order, with no OFFSET and no sort.
describe.each(await backends())("user pages on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(backend);
    for (let i = 0; i < 30; i++) await h.hj.users.create({ email: `deep${i}@example.com` });
  });
  afterAll(() => h.close());

  it("seek deep pages through the index, without OFFSET or a sort", async () => {
    const db = h.t.server.database.db;
    const store = new UsersStore(h.t.server.database);
    const query = store.pageQuery(db, h.t.tenantId, {}, 10, { createdAt: Date.now() - 1, id: "usr_01ZZZZZZZZZZZZZZZZZZZZZZZZ" }).compile();
    expect(query.sql.toLowerCase()).not.toContain("offset");

    const isPostgres = h.t.server.database.dialect === "postgres";
    const plan = await db.transaction().execute(async (trx) => {
      // Small test tables make PostgreSQL prefer a scan and a sort; forbid them to prove the index can serve the page.
      if (isPostgres) {
        await trx.executeQuery(CompiledQuery.raw("SET LOCAL enable_seqscan = off"));
        await trx.executeQuery(CompiledQuery.raw("SET LOCAL enable_sort = off"));
      }
      const explained = await trx.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`${isPostgres ? "EXPLAIN" : "EXPLAIN QUERY PLAN"} ${query.sql}`, [...query.parameters]));
      return explained.rows.map((row) => String(row["QUERY PLAN"] ?? row.detail)).join("\n");
    });
    expect(plan).toContain("users_tenant_created");
    if (isPostgres) expect(plan).not.toMatch(/^\s*(->\s*)?Sort/m);
    else expect(plan).not.toContain("TEMP B-TREE");
  });
});
