import { mkdtempSync, rmSync } from "node:fs";
import { connect, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HelloJohn } from "@hellojohn/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer } from "../src/app.js";
import { MasterKey } from "../src/crypto/master-key.js";
import { startTestServer } from "../src/testing.js";
import { backends } from "./backends.js";
import { email, harness, type Harness } from "./helpers.js";

const PASSWORD = "TemporaryPass123!";
const NUL = "\u0000";
const LONE_SURROGATE = "\uD800";

describe.each(await backends())("hostile input on $name", (backend) => {
  let h: Harness;
  let headers: Record<string, string>;
  let userId: string;
  let orgId: string;
  beforeAll(async () => {
    h = await harness(backend);
    headers = { authorization: `Bearer ${h.t.secretKey}`, "hellojohn-tenant-id": h.t.tenantId, "content-type": "application/json" };
    userId = (await h.hj.users.create({ email: email("target"), password: PASSWORD })).id;
    orgId = (await h.hj.organizations.create({ name: "Acme" })).id;
  });
  afterAll(async () => {
    await h.close();
  });

  const send = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
    const response = await fetch(`${h.t.url}${path}`, {
      method,
      headers: { ...headers, ...extra },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { error?: { code: string; param?: string } } };
  };

  // A lone surrogate has no UTF-8 form: in a URL it arrives as the bytes a careless encoder would send.
  for (const [label, bad, inUrl] of [
    ["a NUL", `a${NUL}b`, "a%00b"],
    ["a lone surrogate", `a${LONE_SURROGATE}b`, "a%ED%A0%80b"],
  ] as const) {
    it(`refuses ${label} anywhere a string reaches storage or a query, with a 400 naming the param`, async () => {
      const cases: [string, string, unknown, string][] = [
        ["POST", `/v1/tenants/${h.t.tenantId}/auth/sign-in`, { email: `x${bad}@example.com`, password: PASSWORD }, "email"],
        ["POST", `/v1/tenants/${h.t.tenantId}/auth/sign-in`, { email: "x@example.com", password: `pass${bad}word` }, "password"],
        ["POST", "/v1/users", { email: email(), first_name: bad }, "first_name"],
        ["POST", "/v1/users", { email: email(), metadata: { nested: { deeper: [1, bad] } } }, "metadata.nested.deeper.1"],
        ["POST", "/v1/users", { email: email(), metadata: { [`k${bad}`]: 1 } }, `metadata.k${bad}`],
        ["PATCH", `/v1/users/${userId}`, { last_name: bad }, "last_name"],
        ["POST", "/v1/organizations", { name: bad }, "name"],
        ["PATCH", `/v1/organizations/${orgId}`, { name: bad }, "name"],
        ["POST", `/v1/users/${userId}/impersonate`, { reason: bad }, "reason"],
        ["GET", `/v1/users?search=${inUrl}`, undefined, "search"],
        ["GET", `/v1/users/by-email?email=a${inUrl}@b.co`, undefined, "email"],
        ["GET", `/v1/users/usr_${inUrl}`, undefined, "user_id"],
      ];
      for (const [method, path, body, param] of cases) {
        const answer = await send(method, path, body);
        // A path that is not valid UTF-8 cannot be routed at all: the router's 400 names no parameter.
        const expected = path.includes("%ED") && !path.includes("?") ? { code: "invalid_url" } : { code: "invalid_characters", param };
        expect({ method, path, status: answer.status, error: answer.body.error }).toMatchObject({ status: 400, error: expected });
      }
      // Nothing was stored: the target is untouched and no user carries the string.
      const page = await h.hj.users.list({ limit: 100 });
      expect(JSON.stringify(page.users)).not.toContain(bad);
    });
  }

  it("refuses deep JSON with an Idempotency-Key, as without one, before anything recurses over it", async () => {
    const deep = `{"email":"deep@example.com","metadata":{"a":${"[".repeat(20_000)}${"]".repeat(20_000)}}}`;
    const withKey = await send("POST", "/v1/users", deep, { "idempotency-key": "deep-1" });
    const withoutKey = await send("POST", "/v1/users", deep);
    expect(withKey).toMatchObject({ status: 400, body: { error: { code: "metadata_too_deep", param: "metadata" } } });
    expect(withoutKey).toEqual({ status: withKey.status, body: { error: { ...withKey.body.error, requestId: expect.any(String) } } });
    const other = await send("POST", "/v1/organizations", `{"name":"x","extra":${'{"a":'.repeat(5000)}1${"}".repeat(5000)}}`, { "idempotency-key": "deep-2" });
    expect(other).toMatchObject({ status: 400, body: { error: { code: "body_too_deep", param: "extra" } } });
  });

  it("takes the Bearer scheme in any case, and names a missing tenant header", async () => {
    const lower = await send("GET", "/v1/users?limit=1", undefined, { authorization: `bearer ${h.t.secretKey}` });
    expect(lower.status).toBe(200);
    const upper = await send("GET", "/v1/users?limit=1", undefined, { authorization: `BEARER   ${h.t.secretKey}` });
    expect(upper.status).toBe(200);
    const noTenant = await fetch(`${h.t.url}/v1/users`, { headers: { authorization: `Bearer ${h.t.secretKey}` } });
    expect(noTenant.status).toBe(401);
    expect(await noTenant.json()).toMatchObject({ error: { code: "missing_tenant_id", param: "HelloJohn-Tenant-Id" } });
    const noKey = await fetch(`${h.t.url}/v1/users`, { headers: { "hellojohn-tenant-id": h.t.tenantId } });
    expect(await noKey.json()).toMatchObject({ error: { code: "missing_api_key", param: "Authorization" } });
  });
});

describe("connection limits", () => {
  it("closes clients that trickle a request and keeps serving others meanwhile", async () => {
    const t = await startTestServer();
    const server = await createServer({ masterKey: MasterKey.generate(), passwordHashing: "unsafe-test-only", headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const url = await server.listen();
    const { port } = new URL(url);
    const sockets: Socket[] = [];
    const closed: Promise<string>[] = [];
    try {
      for (let i = 0; i < 200; i++) {
        const socket = connect(Number(port), "127.0.0.1");
        sockets.push(socket);
        closed.push(
          new Promise((resolve) => {
            let data = "";
            socket.on("data", (chunk: Buffer) => (data += chunk.toString()));
            socket.on("close", () => resolve(data));
          }),
        );
        // Headers in full, then one byte of a 100-byte body, then nothing.
        socket.write(`POST /v1/users HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{`);
      }
      const health = await fetch(`${url}/health`);
      expect(health.status).toBe(200);
      const answers = await Promise.all(closed);
      // Every trickling client was cut off by the server (408 or a closed socket), none got a 5xx.
      expect(answers.filter((a) => /^HTTP\/1\.1 5/.test(a))).toEqual([]);
      expect(answers).toHaveLength(200);
    } finally {
      for (const socket of sockets) socket.destroy();
      await server.close();
      await t.close();
    }
  });

  it("refuses invalid limit options at creation", async () => {
    await expect(createServer({ masterKey: MasterKey.generate(), requestTimeoutMs: 0 })).rejects.toThrow(/requestTimeoutMs must be a positive integer/);
  });
});

describe("master key", () => {
  const dir = mkdtempSync(join(tmpdir(), "hellojohn-master-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("refuses to start with a key that cannot open the database's keys, naming HELLOJOHN_MASTER_KEY", async () => {
    const databaseUrl = `sqlite:${join(dir, "hj.db")}`;
    const first = await createServer({ databaseUrl, masterKey: MasterKey.generate() });
    await first.tenants.createTenant("Acme");
    await first.close();
    await expect(createServer({ databaseUrl, masterKey: MasterKey.generate() })).rejects.toThrow(/HELLOJOHN_MASTER_KEY cannot decrypt/);
  });

  it("starts with any key on a database that has no keys yet", async () => {
    const server = await createServer({ databaseUrl: `sqlite:${join(dir, "empty.db")}`, masterKey: MasterKey.generate() });
    await server.close();
  });
});

// The SDK still works against a server with these guards (sanity for the happy path).
describe("well-behaved clients", () => {
  it("are unaffected", async () => {
    const t = await startTestServer();
    try {
      const hj = new HelloJohn({ tenantId: t.tenantId, secretKey: t.secretKey, baseUrl: t.url });
      const user = await hj.users.create({ email: email("ok"), firstName: "Zoë 😀", metadata: { emoji: "👍", deep: { a: { b: { c: 1 } } } } });
      expect((await hj.users.get(user.id)).firstName).toBe("Zoë 😀");
    } finally {
      await t.close();
    }
  });
});
