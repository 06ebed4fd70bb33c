import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HelloJohn } from "@hellojohn/node";
import { afterAll, describe, expect, it } from "vitest";

const CLI = new URL("../bin/hellojohn-server.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "hellojohn-cli-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts `hellojohn-server dev` and resolves with the HELLOJOHN_* lines it prints. */
function startDev(): Promise<Record<string, string>> {
  const child = spawn(process.execPath, [CLI, "dev", "--data-dir", join(dir, "data"), "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const vars = Object.fromEntries([...out.matchAll(/^(HELLOJOHN_\w+)=(.+)$/gm)].map((m) => [m[1], m[2]]));
      if (Object.keys(vars).length === 3) resolve(vars as Record<string, string>);
    });
    child.on("exit", (code) => reject(new Error(`dev server exited with ${code}: ${out}`)));
  });
}

describe("hellojohn-server", () => {
  it("explains itself with --help", () => {
    const help = execFileSync(process.execPath, [CLI, "--help"], { encoding: "utf8" });
    expect(help).toContain("hellojohn-server dev");
    expect(help).toContain("HELLOJOHN_MASTER_KEY");
  });

  it("fails clearly on an unknown command or a missing master key", () => {
    const run = (args: string[], env: Record<string, string> = {}) => {
      try {
        execFileSync(process.execPath, [CLI, ...args], { encoding: "utf8", stdio: "pipe", env: { ...process.env, HELLOJOHN_MASTER_KEY: "", ...env } });
        return { status: 0, stderr: "" };
      } catch (error) {
        const e = error as { status: number; stderr: string };
        return { status: e.status, stderr: e.stderr };
      }
    };
    expect(run(["frobnicate"])).toMatchObject({ status: 2, stderr: expect.stringContaining('Unknown command "frobnicate"') });
    expect(run(["start"])).toMatchObject({ status: 2, stderr: expect.stringContaining("HELLOJOHN_MASTER_KEY") });
  });

  it("dev creates a tenant and key once, prints them, and serves the SDK; a restart reuses them", async () => {
    const first = await startDev();
    const hj = new HelloJohn({ tenantId: first.HELLOJOHN_TENANT_ID, secretKey: first.HELLOJOHN_SECRET_KEY, baseUrl: first.HELLOJOHN_API_URL });
    const user = await hj.users.create({ email: "cli@example.com", password: "TemporaryPass123!" });
    children.shift()?.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    const second = await startDev();
    expect(second.HELLOJOHN_TENANT_ID).toBe(first.HELLOJOHN_TENANT_ID);
    expect(second.HELLOJOHN_SECRET_KEY).toBe(first.HELLOJOHN_SECRET_KEY);
    const again = new HelloJohn({ tenantId: second.HELLOJOHN_TENANT_ID, secretKey: second.HELLOJOHN_SECRET_KEY, baseUrl: second.HELLOJOHN_API_URL });
    expect((await again.users.get(user.id)).email).toBe("cli@example.com");
  });

  it("manages tenants and keys against a database", () => {
    const env = { ...process.env, HELLOJOHN_MASTER_KEY: "ab".repeat(32), HELLOJOHN_DATABASE_URL: `sqlite:${join(dir, "admin.db")}` };
    const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: "utf8", env }).trim();
    const tenantId = cli("tenant", "create", "--name", "Acme");
    expect(tenantId).toMatch(/^ten_/);
    expect(cli("tenant", "list")).toContain("Acme");
    const created = cli("key", "create", "--tenant", tenantId, "--name", "ci");
    const keyId = /key ID:\s+(key_\w+)/.exec(created)?.[1] as string;
    expect(created).toMatch(/secret key: sk_/);
    expect(cli("key", "list", "--tenant", tenantId)).toContain(`${keyId}\tci\tactive`);
    expect(cli("key", "revoke", "--tenant", tenantId, "--key", keyId)).toBe("revoked");
    expect(cli("key", "list", "--tenant", tenantId)).toContain(`${keyId}\tci\trevoked`);
  });

  it("start refuses a master key that cannot open the database, naming HELLOJOHN_MASTER_KEY", () => {
    const databaseUrl = `sqlite:${join(dir, "keyed.db")}`;
    execFileSync(process.execPath, [CLI, "tenant", "create", "--name", "Acme"], {
      env: { ...process.env, HELLOJOHN_MASTER_KEY: "ab".repeat(32), HELLOJOHN_DATABASE_URL: databaseUrl },
    });
    let failure: { status: number; stderr: string } = { status: 0, stderr: "" };
    try {
      execFileSync(process.execPath, [CLI, "start", "--port", "0"], {
        encoding: "utf8",
        stdio: "pipe",
        timeout: 20_000,
        env: { ...process.env, HELLOJOHN_MASTER_KEY: "cd".repeat(32), HELLOJOHN_DATABASE_URL: databaseUrl },
      });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure.status).toBe(1);
    expect(failure.stderr).toContain("HELLOJOHN_MASTER_KEY cannot decrypt this database's signing keys");
  });

  it("refuses a connection limit that is not a positive integer", () => {
    let failure: { status: number; stderr: string } = { status: 0, stderr: "" };
    try {
      execFileSync(process.execPath, [CLI, "start", "--request-timeout-ms", "soon"], {
        encoding: "utf8",
        stdio: "pipe",
        env: { ...process.env, HELLOJOHN_MASTER_KEY: "ab".repeat(32), HELLOJOHN_DATABASE_URL: `sqlite:${join(dir, "limits.db")}` },
      });
    } catch (error) {
      failure = error as { status: number; stderr: string };
    }
    expect(failure).toMatchObject({ status: 2, stderr: expect.stringContaining("--request-timeout-ms (HELLOJOHN_REQUEST_TIMEOUT_MS) must be a positive integer") });
  });
});
