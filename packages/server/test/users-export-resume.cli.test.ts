import { execFile } from "node:child_process";
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterKey } from "../src/crypto/master-key.js";
import { startTestServer, type TestServer } from "../src/testing.js";
import { backends } from "./backends.js";
import { CLI, type CliChild as Child, startCli as start } from "./cli-child.js";

const FIXTURES = new URL("./fixtures/import/", import.meta.url).pathname;
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "hellojohn-export-resume-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Users in the tenant: enough pages of 10 that a run is still going when the test stops it. */
const N = 2500;

const lines = (path: string): string[] =>
  readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l !== "");
const ids = (path: string): string[] => lines(path).map((l) => (JSON.parse(l) as { id: string }).id);

describe.each(await backends())("hellojohn-server users export resumes on $name", (backend) => {
  let t: TestServer;
  let databaseUrl: string;
  let local: Record<string, string>;
  let remote: Record<string, string>;
  /** Uninterrupted exports, the reference a resumed one must equal byte for byte. */
  let reference: { local: string; remote: string };

  const exportArgs = (file: string, ...more: string[]): string[] => ["users", "export", file, "--progress-interval", "0", ...more];
  const exec = (args: string[], env: Record<string, string>) => run(process.execPath, [CLI, ...args], { env: { ...process.env, ...env } });

  /** Starts an export in pages of 10, each checkpointed, waits until a few are, and stops it with `signal`. */
  async function interrupted(file: string, env: Record<string, string>, signal: NodeJS.Signals, more: string[] = []): Promise<Child> {
    const child = start(exportArgs(file, "--batch-size", "10", "--checkpoint-interval", "0", ...more), env);
    await child.progressLines(3);
    child.kill(signal);
    await child.exit;
    const written = ids(file).length;
    expect(written).toBeLessThan(N);
    expect(existsSync(`${file}.export-state.json`)).toBe(true);
    return child;
  }

  beforeAll(async () => {
    databaseUrl = backend.name === "sqlite" ? `sqlite:${join(dir, "export.db")}` : await backend.create();
    const masterKey = MasterKey.generate();
    t = await startTestServer({ databaseUrl, masterKey });
    local = { HELLOJOHN_DATABASE_URL: databaseUrl, HELLOJOHN_MASTER_KEY: masterKey, HELLOJOHN_TENANT_ID: t.tenantId, HELLOJOHN_API_URL: "" };
    remote = { ...t.env, HELLOJOHN_DATABASE_URL: "", HELLOJOHN_MASTER_KEY: "" };
    // Batches without created_at share one creation time: many ties, which the order breaks by ID.
    for (let from = 0; from < N; from += 500) {
      const users = Array.from({ length: 500 }, (_, k) => {
        const i = from + k;
        return {
          email: `export.${i}@example.com`,
          firstName: "User",
          lastName: String(i),
          metadata: { n: i },
          ...(i % 3 === 0 ? { createdAt: new Date(1_700_000_000_000 + i * 1000).toISOString() } : {}),
        };
      });
      const result = await t.client.users.import({ users });
      expect(result.created).toBe(500);
    }
    const org = await t.client.organizations.create({ name: "Exporters" });
    for (let i = 0; i < N; i += 97) {
      const user = await t.client.users.getByEmail(`export.${i}@example.com`);
      await t.client.organizations.addMember(org.id, { userId: user.id, role: i % 2 === 0 ? "admin" : "member" });
    }
    const refLocal = join(dir, `reference-local-${backend.name}.ndjson`);
    const refRemote = join(dir, `reference-remote-${backend.name}.ndjson`);
    await exec(exportArgs(refLocal), local);
    await exec(exportArgs(refRemote), remote);
    reference = { local: readFileSync(refLocal, "utf8"), remote: readFileSync(refRemote, "utf8") };
    expect(new Set(ids(refLocal)).size).toBe(N);
    expect(lines(refLocal).filter((l) => l.includes('"org_name":"Exporters"')).length).toBe(Math.ceil(N / 97));
  });
  afterAll(async () => {
    await t.close();
    if (backend.name === "postgres") await backend.drop(databaseUrl);
  });

  it("a crashed export (SIGKILL) with a torn last line resumes from its checkpoint: every user once, in order, as an uninterrupted export", async () => {
    const file = join(dir, `kill-${backend.name}.ndjson`);
    await interrupted(file, local, "SIGKILL");
    const checkpoint = JSON.parse(readFileSync(`${file}.export-state.json`, "utf8")) as { users: number; bytes: number };
    expect(checkpoint.users).toBeGreaterThan(0);
    // What a crash in the middle of a write leaves: a line without its end.
    appendFileSync(file, '{"id":"usr_01TORN","email":"torn@exam');
    const { stdout } = await exec(exportArgs(file), local);
    expect(stdout).toMatch(/^Resuming .* after user [\d,]+ \(its last checkpoint; [\d,]+ whole users and [\d,]+ bytes written after it are dropped and read again\)$/m);
    expect(stdout).toContain(`Exported ${N.toLocaleString("en-US")} users (`);
    expect(readFileSync(file, "utf8")).toBe(reference.local);
    expect(new Set(ids(file)).size).toBe(N);
    expect(existsSync(`${file}.export-state.json`)).toBe(false);
  });

  it("Ctrl-C stops after the page in flight; the same command resumes; the password hashes stay private and come back", async () => {
    const file = join(dir, `sigint-${backend.name}.ndjson`);
    const first = await interrupted(file, local, "SIGINT", ["--with-password-hashes"]);
    expect(await first.exit).toBe(130);
    expect(first.stdout).toMatch(/Interrupted after user [\d,]+: .* is incomplete\. Run the same command again to resume\./);
    // A clean stop ends on the checkpoint: nothing to drop.
    const checkpoint = JSON.parse(readFileSync(`${file}.export-state.json`, "utf8")) as { bytes: number };
    expect(statSync(file).size).toBe(checkpoint.bytes);
    const resumed = await exec(exportArgs(file, "--with-password-hashes"), local);
    expect(resumed.stderr).toContain("WARNING");
    expect(resumed.stdout).toMatch(/^Resuming .* after user [\d,]+\n/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const withHashes = lines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(withHashes).toHaveLength(N);
    expect(withHashes.every((u) => "password_hash" in u)).toBe(true);
    // Without the hashes, the file is the plain export.
    expect(withHashes.map((u) => JSON.stringify({ ...u, password_hash: undefined })).join("\n") + "\n").toBe(reference.local);
  });

  it("a remote export (through the SDK) resumes after SIGKILL and after Ctrl-C", async () => {
    const killed = join(dir, `remote-kill-${backend.name}.ndjson`);
    await interrupted(killed, remote, "SIGKILL");
    appendFileSync(killed, '{"id":"usr_');
    const afterKill = await exec(exportArgs(killed), remote);
    expect(afterKill.stdout).toMatch(/^Resuming .* after user [\d,]+ \(its last checkpoint/m);
    expect(readFileSync(killed, "utf8")).toBe(reference.remote);

    const stopped = join(dir, `remote-sigint-${backend.name}.ndjson`);
    const first = await interrupted(stopped, remote, "SIGINT");
    expect(await first.exit).toBe(130);
    const afterStop = await exec(exportArgs(stopped), remote);
    expect(afterStop.stdout).toMatch(/^Resuming .* after user [\d,]+\n/);
    expect(readFileSync(stopped, "utf8")).toBe(reference.remote);
    expect(new Set(ids(stopped)).size).toBe(N);
  });

  it("refuses to resume with other flags (hashes, tenant, target) and leaves the interrupted file resumable", async () => {
    const file = join(dir, `mismatch-${backend.name}.ndjson`);
    await interrupted(file, local, "SIGKILL");
    const before = readFileSync(file);
    const other = await t.server.tenants.createTenant("Another");
    const refusals: [string[], Record<string, string>, RegExp][] = [
      [["--with-password-hashes"], local, /it ran without --with-password-hashes, this run with it/],
      [[], { ...local, HELLOJOHN_TENANT_ID: other.id }, new RegExp(`it exported tenant ${t.tenantId} \\(--tenant\\), this run tenant ${other.id}`)],
      [[], remote, /it read the database .* \(--database-url\), this run reads the server at http:\/\/127\.0\.0\.1:\d+ \(--api-url\)/],
    ];
    for (const [flags, env, message] of refusals) {
      const refused = exec(exportArgs(file, ...flags), env);
      await expect(refused).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(message) });
      await expect(refused).rejects.toMatchObject({ stderr: expect.stringContaining("Run it again with the same flags to resume, or pass --restart") });
    }
    expect(readFileSync(file).equals(before)).toBe(true);
    await exec(exportArgs(file), local);
    expect(readFileSync(file, "utf8")).toBe(reference.local);
  });

  it("refuses a file that is not the one the interrupted export was writing; --restart writes it afresh", async () => {
    const file = join(dir, `foreign-${backend.name}.ndjson`);
    await interrupted(file, local, "SIGKILL");
    const checkpoint = readFileSync(`${file}.export-state.json`);
    // Another provider's export put where the interrupted one was, longer than the checkpoint.
    const clerk = readFileSync(join(FIXTURES, "clerk.csv"));
    const { bytes } = JSON.parse(checkpoint.toString("utf8")) as { bytes: number };
    writeFileSync(file, Buffer.concat(Array.from({ length: Math.ceil((bytes + 1) / clerk.length) + 1 }, () => clerk)));
    await expect(exec(exportArgs(file), local)).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/is not the file the interrupted export was writing|not a user as `users export` writes them/),
    });
    expect(readFileSync(file).subarray(0, clerk.length).equals(clerk)).toBe(true);

    // Too short for its checkpoint, and then a checkpoint that is not one.
    writeFileSync(file, "");
    await expect(exec(exportArgs(file), local)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("is shorter (0 bytes) than its checkpoint says") });
    writeFileSync(`${file}.export-state.json`, "not json");
    await expect(exec(exportArgs(file), local)).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining("is not an export checkpoint") });

    writeFileSync(`${file}.export-state.json`, checkpoint);
    const restarted = await exec(exportArgs(file, "--restart"), local);
    expect(restarted.stdout).not.toContain("Resuming");
    expect(readFileSync(file, "utf8")).toBe(reference.local);
    expect(existsSync(`${file}.export-state.json`)).toBe(false);
  });
});
