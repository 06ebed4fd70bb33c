import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const CLI = new URL("../bin/hellojohn-server.js", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "hellojohn-console-cli-"));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const child of children) child.kill("SIGTERM");
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the CLI and resolves with its output once `pattern` appears in it. */
function startUntil(args: string[], env: NodeJS.ProcessEnv, pattern: RegExp): Promise<RegExpExecArray> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"], env });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      const match = pattern.exec(out);
      if (match !== null) resolve(match);
    });
    child.on("exit", (code) => reject(new Error(`hellojohn-server ${args[0]} exited with ${code}: ${out}`)));
  });
}

const login = (base: string, token: string) =>
  fetch(`${base}/console/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }) });

describe("hellojohn-server console", () => {
  it("prints a one-time login link that a `start --console` server on the same database accepts once", async () => {
    const env = { ...process.env, HELLOJOHN_MASTER_KEY: "ab".repeat(32), HELLOJOHN_DATABASE_URL: `sqlite:${join(dir, "console.db")}` };
    const cli = (...args: string[]) => execFileSync(process.execPath, [CLI, ...args], { encoding: "utf8", env }).trim();
    const tenantId = cli("tenant", "create", "--name", "Acme");
    const printed = cli("console", "--tenant", tenantId, "--operator", "ops.alice", "--public-url", "https://auth.example.com");
    const token = /^https:\/\/auth\.example\.com\/console\/#login=([A-Za-z0-9_-]{43})$/m.exec(printed)?.[1];
    expect(token).toBeDefined();
    expect(printed).toContain("one-time login link for ops.alice");

    const [, base] = await startUntil(["start", "--console", "--port", "0", "--log-level", "error"], env, /HelloJohn listening on (http:\/\/\S+)/);
    expect((await fetch(`${base}/console`)).status).toBe(200);
    const first = await login(base as string, token as string);
    expect(first.status).toBe(200);
    expect((await first.json()) as { operator: string; tenant_id: string }).toMatchObject({ operator: "ops.alice", tenant_id: tenantId });
    expect((await login(base as string, token as string)).status).toBe(401);

    expect(() => cli("console", "--tenant", "ten_01ZZZZZZZZZZZZZZZZZZZZZZZZ")).toThrow(/No such tenant|tenant/);
  });

  it("start serves no console unless asked; dev serves it and prints a login link", async () => {
    const env = { ...process.env, HELLOJOHN_MASTER_KEY: "cd".repeat(32), HELLOJOHN_DATABASE_URL: `sqlite:${join(dir, "plain.db")}`, HELLOJOHN_CONSOLE: "" };
    const [, plain] = await startUntil(["start", "--port", "0", "--log-level", "error"], env, /HelloJohn listening on (http:\/\/\S+)/);
    expect((await fetch(`${plain}/console`)).status).toBe(404);

    const [, link] = await startUntil(["dev", "--data-dir", join(dir, "dev"), "--port", "0"], process.env, /^(http:\/\/\S+\/console\/#login=\S+)$/m);
    const url = new URL(link as string);
    const response = await login(url.origin, url.hash.replace("#login=", ""));
    expect(response.status).toBe(200);
    expect(((await response.json()) as { operator: string }).operator).toBe("dev");
  });
});
