import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import BetterSqlite3 from "better-sqlite3";
import { afterAll, describe, expect, it } from "vitest";
import { startTestServer } from "../src/testing.js";

const dir = mkdtempSync(join(tmpdir(), "hellojohn-checkpoint-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Polls `probe` (bounded: 200 tries, 50 ms apart) until it holds. */
async function eventually(probe: () => boolean): Promise<boolean> {
  for (let i = 0; i < 200; i++) {
    if (probe()) return true;
    await sleep(50);
  }
  return probe();
}

describe("a SQLite file's write-ahead log", () => {
  it("is checkpointed off the event loop: the server's own connection never does it", async () => {
    const file = join(dir, "server.db");
    const t = await startTestServer({ databaseUrl: `sqlite:${file}` });
    try {
      // The server's connection does not checkpoint on commit (SQLite's default would, past 1,000 pages).
      const probe = new BetterSqlite3(file, { readonly: true });
      const size = () => statSync(file).size;
      // Let the start-up writes (migrations, the tenant) reach the file first.
      let settled = size();
      await eventually(() => {
        const now = size();
        const stable = now === settled && now > 0;
        settled = now;
        return stable;
      });
      const before = size();
      // About 600 KB of new rows: some 150 pages, far below SQLite's 1,000-page autocheckpoint.
      for (let i = 0; i < 30; i++) {
        await Promise.all(Array.from({ length: 10 }, (_, j) => t.client.users.create({ email: `ckpt-${i}-${j}@example.com`, metadata: { note: "x".repeat(2000) } })));
      }
      // Only a checkpoint moves pages from the log into the database file: the checkpointer's, four times a second.
      expect(await eventually(() => size() >= before + 500_000)).toBe(true);
      expect(probe.prepare("select count(*) as n from users where email like 'ckpt-%'").get()).toEqual({ n: 300 });
      probe.close();
    } finally {
      await t.close();
    }
  });
});
