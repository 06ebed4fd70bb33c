import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readPrograms, toModule } from "./readme-programs.js";

const HERE = fileURLToPath(new URL("..", import.meta.url));
const GENERATED = join(HERE, ".generated-express");
const PASSWORD = "TemporaryPass123!";

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * The Express README's example app, exactly as written, run on Express 5 and
 * on Express 4 (its `express` import pointed at the `express4` install): an
 * SDK error inside an async handler must reach the README's error handler as
 * JSON, and never stop the process, as an unhandled rejection does on Express 4.
 */
describe.each([
  ["Express 5", "express"],
  ["Express 4", "express4"],
])("the Express README's app on %s", (_name, expressPackage) => {
  let hj: TestServer;
  let app: ChildProcess;
  let base: string;
  let output = "";
  let token: string;
  let deletedUsersToken: string;

  beforeAll(async () => {
    hj = await startTestServer();
    await hj.client.users.create({ email: "jane@example.com", password: PASSWORD });
    token = (await hj.client.sessions.signInWithPassword({ email: "jane@example.com", password: PASSWORD })).accessToken;
    const gone = await hj.client.users.create({ email: "gone@example.com", password: PASSWORD });
    deletedUsersToken = (await hj.client.sessions.signInWithPassword({ email: "gone@example.com", password: PASSWORD })).accessToken;
    await hj.client.users.delete(gone.id);

    const { source } = toModule(readPrograms("packages/express/README.md")[0] as ReturnType<typeof readPrograms>[number]);
    mkdirSync(GENERATED, { recursive: true });
    const file = join(GENERATED, `express-readme-${expressPackage}.ts`);
    writeFileSync(file, source.replaceAll('from "express"', `from "${expressPackage}"`));
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    app = spawn(process.execPath, ["--import", "tsx", file], { cwd: HERE, env: { ...process.env, ...hj.env, PORT: String(port) } });
    app.stdout?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    app.stderr?.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    for (let attempt = 0; attempt < 150; attempt++) {
      if (app.exitCode !== null) break;
      if (
        await fetch(base).then(
          () => true,
          () => false,
        )
      )
        return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`the README's app did not start: ${output}`);
  });

  afterAll(async () => {
    app?.kill();
    await hj?.close();
  });

  it("answers 401 JSON without a session, and serves a session's routes", async () => {
    const anonymous = await fetch(`${base}/me`);
    expect([anonymous.status, await anonymous.json()]).toEqual([401, { error: expect.objectContaining({ code: "unauthenticated" }) }]);
    const headers = { authorization: `Bearer ${token}` };
    expect(await (await fetch(`${base}/me`, { headers })).json()).toMatchObject({ email: "jane@example.com" });
    expect(await (await fetch(`${base}/admin/users?q=jane`, { headers })).json()).toMatchObject({ total: 1 });
  });

  it("turns an SDK error thrown in an async handler into JSON and keeps running", async () => {
    const missing = await fetch(`${base}/me`, { headers: { authorization: `Bearer ${deletedUsersToken}` } });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { type: "not_found_error", code: "user_not_found" } });
    expect((await fetch(`${base}/me`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect({ exitCode: app.exitCode, output }).toEqual({ exitCode: null, output: "" });
  });
});
