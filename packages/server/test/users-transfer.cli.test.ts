import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterKey } from "../src/crypto/master-key.js";
import { startTestServer, type TestServer } from "../src/testing.js";
import { backends } from "./backends.js";
import { CLI, startCli as start } from "./cli-child.js";

const FIXTURES = new URL("./fixtures/import/", import.meta.url).pathname;
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "hellojohn-transfer-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A HelloJohn NDJSON export of `count` users, as `users export` writes them. */
function exportFile(name: string, count: number): string {
  const path = join(dir, name);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) {
    lines.push(
      JSON.stringify({
        email: `${name}.${i}@example.com`,
        email_verified: i % 2 === 0,
        username: `${name}.${i}`,
        first_name: "User",
        last_name: String(i),
        metadata: { n: i },
        memberships: [],
      }),
    );
  }
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}

describe.each(await backends())("hellojohn-server users import/export on $name", (backend) => {
  let t: TestServer;
  let databaseUrl: string;
  let local: Record<string, string>;
  let remote: Record<string, string>;
  beforeAll(async () => {
    databaseUrl = backend.name === "sqlite" ? `sqlite:${join(dir, "cli.db")}` : await backend.create();
    const masterKey = MasterKey.generate();
    t = await startTestServer({ databaseUrl, masterKey });
    local = { HELLOJOHN_DATABASE_URL: databaseUrl, HELLOJOHN_MASTER_KEY: masterKey, HELLOJOHN_TENANT_ID: t.tenantId, HELLOJOHN_API_URL: "" };
    remote = { ...t.env, HELLOJOHN_DATABASE_URL: "", HELLOJOHN_MASTER_KEY: "" };
  });
  afterAll(async () => {
    await t.close();
    if (backend.name === "postgres") await backend.drop(databaseUrl);
  });

  const total = async (): Promise<number> => (await t.client.users.list({ limit: 1 })).total;

  it("a crashed import (SIGKILL) resumes from its saved position without duplicating anyone", async () => {
    const file = exportFile(`crash-${backend.name}`, 4000);
    const before = await total();
    const first = start(["users", "import", "--from", "hellojohn", file, "--batch-size", "10", "--progress-interval", "0"], local);
    await first.progressLines(3);
    first.kill("SIGKILL");
    await first.exit;
    const saved = JSON.parse(readFileSync(`${file}.import-state.json`, "utf8")) as { records_done: number };
    expect(saved.records_done).toBeGreaterThan(0);
    expect(saved.records_done).toBeLessThan(4000);
    const { stdout } = await run(process.execPath, [CLI, "users", "import", "--from", "hellojohn", file, "--batch-size", "500", "--progress-interval", "0"], {
      env: { ...process.env, ...local },
    });
    expect(stdout).toMatch(/Resuming after record [\d,]+/);
    expect(stdout).toContain("Imported 4,000 records");
    expect(existsSync(`${file}.import-state.json`)).toBe(false);
    expect((await total()) - before).toBe(4000);
    expect(await t.client.users.getByEmail(`crash-${backend.name}.3999@example.com`)).toMatchObject({
      lastName: "3999",
      username: `crash-${backend.name}.3999`,
      metadata: { n: 3999, imported: { source: "hellojohn" } },
    });
  });

  it("Ctrl-C stops a remote import (through the SDK) after its batch; the same command resumes it", async () => {
    const file = exportFile(`sigint-${backend.name}`, 3000);
    const before = await total();
    const first = start(["users", "import", "--from", "hellojohn", file, "--batch-size", "10", "--progress-interval", "0"], remote);
    await first.progressLines(2);
    first.kill("SIGINT");
    expect(await first.exit).toBe(130);
    expect(first.stdout).toMatch(/Interrupted after record [\d,]+: .* Run the same command again to resume/);
    const { stdout } = await run(process.execPath, [CLI, "users", "import", "--from", "hellojohn", file, "--progress-interval", "0"], { env: { ...process.env, ...remote } });
    expect(stdout).toMatch(/Resuming after record/);
    expect(stdout).toContain("Imported 3,000 records");
    expect((await total()) - before).toBe(3000);
    // Every field crosses the SDK, the username too.
    expect(await t.client.users.getByEmail(`sigint-${backend.name}.2999@example.com`)).toMatchObject({ username: `sigint-${backend.name}.2999`, lastName: "2999" });
  });

  it("imports a provider's file with refused rows into a report; export writes every user with memberships, hashes only when asked", async () => {
    const file = join(dir, `auth0-${backend.name}.ndjson`);
    writeFileSync(file, readFileSync(join(FIXTURES, "auth0.ndjson")));
    const imported = await run(process.execPath, [CLI, "users", "import", "--from", "auth0", file], { env: { ...process.env, ...local } });
    expect(imported.stdout).toContain("3 created, 1 skipped (already there), 3 refused");
    const report = readFileSync(`${file}.refused.ndjson`, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { record: number; code: string; param: string | null });
    expect(report.map((r) => [r.record, r.code, r.param])).toEqual([
      [4, "unreadable_record", null],
      [5, "missing_email", "email"],
      [7, "unsupported_password_hash", "password_hash"],
    ]);

    const ada = await t.client.users.getByEmail("ada.auth0@example.com");
    const org = await t.client.organizations.create({ name: "Analytical Engines" });
    await t.client.organizations.addMember(org.id, { userId: ada.id, role: "admin" });
    const count = await total();
    const read = (path: string) =>
      readFileSync(path, "utf8")
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l) as Record<string, unknown>);

    const plain = join(dir, `export-${backend.name}.ndjson`);
    await run(process.execPath, [CLI, "users", "export", plain], { env: { ...process.env, ...local } });
    const users = read(plain);
    expect(users).toHaveLength(count);
    expect(users.some((u) => "password_hash" in u)).toBe(false);
    expect(users.find((u) => u.id === ada.id)).toMatchObject({ email: "Ada.Auth0@example.com", memberships: [{ org_id: org.id, org_name: "Analytical Engines", role: "admin" }] });

    const secret = join(dir, `export-hashes-${backend.name}.ndjson`);
    const withHashes = await run(process.execPath, [CLI, "users", "export", secret, "--with-password-hashes"], { env: { ...process.env, ...local } });
    expect(withHashes.stderr).toContain("WARNING");
    expect(statSync(secret).mode & 0o777).toBe(0o600);
    expect(read(secret).find((u) => u.id === ada.id)?.password_hash).toMatch(/^\$2b\$10\$/);

    const viaApi = join(dir, `export-remote-${backend.name}.ndjson`);
    const remoteRun = await run(process.execPath, [CLI, "users", "export", viaApi], { env: { ...process.env, ...remote } });
    expect(remoteRun.stdout).toContain(`Exported ${count.toLocaleString("en-US")} users`);
    expect(read(viaApi).find((u) => u.id === ada.id)).toMatchObject({ memberships: [{ org_id: org.id, role: "admin" }] });
    await expect(run(process.execPath, [CLI, "users", "export", viaApi, "--with-password-hashes"], { env: { ...process.env, ...remote } })).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("never returns password hashes"),
    });
  });

  it.runIf(backend.name === "sqlite")("draws a progress bar in a real pseudo-terminal and plain lines without one", async () => {
    const ttyFile = exportFile("tty", 3000);
    const command = [process.execPath, CLI, "users", "import", "--from", "hellojohn", ttyFile, "--batch-size", "50"].map((a) => `'${a}'`).join(" ");
    const tty = await run("script", ["-qfec", command, "/dev/null"], { env: { ...process.env, ...local } });
    expect(tty.stdout).toMatch(/\r\x1b\[Kimport hellojohn \[#+-*\]\s+\d+% [\d,]+ rows · [\d,]+ rows\/s · ETA \d+:\d\d/);
    expect(tty.stdout).toContain("Imported 3,000 records");

    const plainFile = exportFile("plain", 3000);
    const plain = await run(process.execPath, [CLI, "users", "import", "--from", "hellojohn", plainFile, "--batch-size", "50", "--progress-interval", "0"], {
      env: { ...process.env, ...local },
    });
    expect(plain.stderr).not.toContain("\r");
    expect(plain.stderr.split("\n").filter((l) => /^import hellojohn: [\d,]+ rows \(\d+%\), [\d,]+ rows\/s, ETA (\d+:\d\d|\?)$/.test(l)).length).toBeGreaterThan(10);
    expect(plain.stdout).toContain("Imported 3,000 records");
  });

  it.runIf(backend.name === "sqlite")("imports Firebase's export with the project's hash parameters from the command line", async () => {
    const file = join(dir, "firebase.json");
    writeFileSync(file, readFileSync(join(FIXTURES, "firebase.json")));
    const args = [
      "users",
      "import",
      "--from",
      "firebase",
      file,
      "--firebase-signer-key",
      "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==",
      "--firebase-salt-separator",
      "Bw==",
      "--firebase-rounds",
      "8",
      "--firebase-mem-cost",
      "14",
    ];
    const { stdout } = await run(process.execPath, [CLI, ...args], { env: { ...process.env, ...local } });
    expect(stdout).toContain("2 created, 0 skipped (already there), 1 refused");
    const session = await t.client.sessions.signInWithPassword({ email: "user1.firebase@example.com", password: "user1password" });
    expect(session.user?.email).toBe("user1.firebase@example.com");
  });
});
