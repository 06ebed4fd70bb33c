import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// The benchmark is only worth its numbers if the apps it loads do what it says:
// the same route, and with HelloJohn a real verification that refuses a bad token.
// The NestJS app runs on NestJS 10 (an injected copy of @hellojohn/nestjs), so this is also its NestJS 10 test.
let hj: TestServer;
let token: string;
let adminToken: string;
const children: ChildProcess[] = [];
// Each test starts a TypeScript app in a child process: seconds on a busy 2-core machine.
const STARTS_AN_APP = 30_000;

beforeAll(async () => {
  hj = await startTestServer();
  await hj.client.users.create({ email: "bench@example.com", password: "Bench-Passw0rd!" });
  token = (await hj.client.sessions.signInWithPassword({ email: "bench@example.com", password: "Bench-Passw0rd!" })).accessToken;
  const admin = await hj.client.users.create({ email: "bench-admin@example.com", password: "Bench-Passw0rd!" });
  const organizationId = (await hj.client.organizations.create({ name: "Bench" })).id;
  await hj.client.organizations.addMember(organizationId, { userId: admin.id, role: "admin" });
  adminToken = (await hj.client.sessions.signInWithPassword({ email: "bench-admin@example.com", password: "Bench-Passw0rd!", organizationId })).accessToken;
});
afterAll(async () => {
  for (const child of children) child.kill("SIGTERM");
  await hj.close();
});

async function serve(framework: string, mode: string, path = "/ping", order?: string): Promise<string> {
  const args = ["--import", "tsx", fileURLToPath(new URL("./serve.ts", import.meta.url)), framework, mode, ...(order === undefined ? [] : [order])];
  const child = spawn(process.execPath, args, {
    env: { ...process.env, ...hj.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  children.push(child);
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(match[1] as string);
    });
    child.once("exit", (code) => reject(new Error(`${framework} ${mode} exited with ${code}`)));
  });
  return `http://127.0.0.1:${port}${path}`;
}

describe.each(["express", "fastify", "nestjs"])("the %s benchmark app", (framework) => {
  it(
    "answers bare with or without a token",
    async () => {
      const url = await serve(framework, "bare");
      expect((await fetch(url)).status).toBe(200);
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    },
    STARTS_AN_APP,
  );

  it(
    "with one empty middleware, hook or guard (the reference), answers with or without a token",
    async () => {
      const url = await serve(framework, "guard");
      expect((await fetch(url)).status).toBe(200);
      expect((await fetch(url, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    },
    STARTS_AN_APP,
  );

  it(
    "with HelloJohn, answers a valid token and refuses a missing or forged one",
    async () => {
      const url = await serve(framework, "hellojohn");
      const ok = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true });
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: `Bearer ${token.slice(0, -6)}AAAAAA` } })).status).toBe(401);
    },
    STARTS_AN_APP,
  );

  it(
    "with a required role, answers an admin's token and refuses a token without the role (403) or none (401)",
    async () => {
      const url = await serve(framework, "role");
      const ok = await fetch(url, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true });
      const forbidden = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toMatchObject({ error: { code: "insufficient_role" } });
      expect((await fetch(url)).status).toBe(401);
    },
    STARTS_AN_APP,
  );

  it.each(["bare-first", "role-first"])(
    "paired (%s), serves a bare route that asks nothing and a role route that asks HelloJohn and the role, in one process",
    async (order) => {
      const base = (await serve(framework, "paired", "", order)).replace(/\/$/, "");
      expect((await fetch(`${base}/bare/ping`)).status).toBe(200);
      const bare = await fetch(`${base}/bare/ping`, { headers: { authorization: `Bearer ${token}` } });
      expect(bare.status).toBe(200);
      expect(await bare.json()).toEqual({ ok: true });
      const ok = await fetch(`${base}/role/ping`, { headers: { authorization: `Bearer ${adminToken}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ ok: true });
      const forbidden = await fetch(`${base}/role/ping`, { headers: { authorization: `Bearer ${token}` } });
      expect(forbidden.status).toBe(403);
      expect(await forbidden.json()).toMatchObject({ error: { code: "insufficient_role" } });
      expect((await fetch(`${base}/role/ping`)).status).toBe(401);
      expect((await fetch(`${base}/role/ping`, { headers: { authorization: `Bearer ${adminToken.slice(0, -6)}AAAAAA` } })).status).toBe(401);
      // Only the two routes: the prefixes do not leak the role route's guard onto the bare one, or the other way round.
      expect((await fetch(`${base}/ping`)).status).toBe(404);
    },
    STARTS_AN_APP,
  );
});
