import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { backends } from "./backends.js";

const CLI = new URL("../bin/hellojohn-server.js", import.meta.url).pathname;
const MASTER_KEY = "5e".repeat(32);
const BURST = 60;
const dir = mkdtempSync(join(tmpdir(), "hellojohn-crash-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function cli(databaseUrl: string, ...args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], {
    encoding: "utf8",
    env: { ...process.env, HELLOJOHN_MASTER_KEY: MASTER_KEY, HELLOJOHN_DATABASE_URL: databaseUrl },
  }).trim();
}

/** `hellojohn-server start` as a child process, resolved once it listens. */
function start(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [CLI, "start", "--port", "0", "--log-level", "error"], {
    env: { ...process.env, HELLOJOHN_MASTER_KEY: MASTER_KEY, HELLOJOHN_DATABASE_URL: databaseUrl },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const url = /listening on (http:\S+)/.exec(out)?.[1];
      if (url !== undefined) resolve({ child, url });
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

describe.each(await backends())("a server killed during a write burst on $name", (backend) => {
  it("lets every unacknowledged request complete on retry with its key, exactly once", async () => {
    const databaseUrl = backend.name === "sqlite" ? `sqlite:${join(dir, "crash.db")}` : await backend.create();
    try {
      const tenantId = cli(databaseUrl, "tenant", "create", "--name", "Crash");
      const secretKey = /secret key: (\S+)/.exec(cli(databaseUrl, "key", "create", "--tenant", tenantId))?.[1] as string;
      const headers = { authorization: `Bearer ${secretKey}`, "hellojohn-tenant-id": tenantId, "content-type": "application/json" };
      const requests = Array.from({ length: BURST }, (_, i) => ({
        key: `crash-${backend.name}-${i}`,
        body: JSON.stringify({ email: `crash${i}@example.com`, first_name: `Crash ${i}`, metadata: { i } }),
      }));
      const send = (url: string, r: (typeof requests)[number]) =>
        fetch(`${url}/v1/users`, { method: "POST", headers: { ...headers, "idempotency-key": r.key }, body: r.body }).then(async (res) => ({
          status: res.status,
          body: (await res.json()) as { id?: string },
          replayed: res.headers.get("idempotent-replayed") === "true",
        }));

      const first = await start(databaseUrl);
      let answered = 0;
      const burst = requests.map((r) =>
        send(first.url, r).then(
          (answer) => {
            answered++;
            return answer;
          },
          () => undefined,
        ),
      );
      // Kill the server with requests in every state: answered, in a transaction, not yet read.
      await new Promise<void>((resolve) => {
        const check = setInterval(() => {
          if (answered >= 5) {
            clearInterval(check);
            resolve();
          }
        }, 1);
      });
      first.child.kill("SIGKILL");
      const outcomes = await Promise.all(burst);
      const unacknowledged = outcomes.filter((o) => o === undefined).length;
      expect(unacknowledged).toBeGreaterThan(0);

      const second = await start(databaseUrl);
      try {
        const retries = await Promise.all(requests.map((r) => send(second.url, r)));
        // Every request completes under its key; none is stuck "in progress" or made twice (a second
        // execution would collide with the first one's email and answer 409).
        expect(retries.map((r) => r.status)).toEqual(requests.map(() => 201));
        outcomes.forEach((before, i) => {
          if (before !== undefined && before.status === 201) expect(retries[i]).toMatchObject({ replayed: true, body: { id: before.body.id } });
        });
        const list = await fetch(`${second.url}/v1/users?limit=100`, { headers });
        const page = (await list.json()) as { total: number; data: { id: string }[] };
        expect(page.total).toBe(BURST);
        expect(new Set(page.data.map((u) => u.id))).toEqual(new Set(retries.map((r) => r.body.id)));
      } finally {
        second.child.kill("SIGTERM");
      }
    } finally {
      if (backend.name === "postgres") await backend.drop(databaseUrl);
    }
  });
});
