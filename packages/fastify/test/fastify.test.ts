import Fastify, { type FastifyInstance } from "fastify";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse, getAuth, hellojohn, HelloJohn, isHelloJohnError, requireAuth } from "../src/index.js";

const PASSWORD = "TemporaryPass123!";
let hj: TestServer;
let token: string;
let userId: string;

async function signIn(email: string): Promise<string> {
  return (await hj.client.sessions.signInWithPassword({ email, password: PASSWORD })).accessToken;
}

beforeAll(async () => {
  hj = await startTestServer();
  userId = (await hj.client.users.create({ email: "fastify@example.com", password: PASSWORD })).id;
  token = await signIn("fastify@example.com");
});
afterAll(() => hj.close());

async function app(options: Parameters<typeof hellojohn>[1] = { client: hj.client }): Promise<FastifyInstance> {
  const fastify = Fastify();
  await fastify.register(hellojohn, options);
  fastify.get("/whoami", async (request) => ({ userId: request.hj.auth?.userId ?? null, viaGetAuth: getAuth(request)?.userId ?? null }));
  fastify.get("/me", { preHandler: requireAuth() }, async (request) => request.hj.users.get(request.hj.auth?.userId as string));
  fastify.get("/strict", { preHandler: requireAuth({ checkRevoked: true }) }, async (request) => ({ sessionId: request.hj.auth?.sessionId }));
  fastify.get("/orders", { preHandler: requireAuth({ audience: "https://api.example.com", authorizedParties: ["https://app.example.com"] }) }, async (request) => ({
    aud: request.hj.auth?.claims.aud,
  }));
  fastify.get("/count", async () => ({ total: (await fastify.hj.users.list()).total }));
  // An encapsulated child context sees the decorations too.
  await fastify.register(async (child) => {
    child.get("/child", async (request) => ({ sameClient: child.hj === fastify.hj, userId: request.hj.auth?.userId ?? null }));
  });
  return fastify;
}

describe("@hellojohn/fastify", () => {
  it("decorates the instance and each request, also in child contexts (inject)", async () => {
    const fastify = await app({ client: hj.client, cookieName: "hj" });
    const auth = { authorization: `Bearer ${token}` };
    expect((await fastify.inject({ url: "/whoami", headers: auth })).json()).toEqual({ userId, viaGetAuth: userId });
    expect((await fastify.inject({ url: "/whoami", headers: { cookie: `hj=${token}` } })).json()).toEqual({ userId, viaGetAuth: userId });
    expect((await fastify.inject({ url: "/whoami" })).json()).toEqual({ userId: null, viaGetAuth: null });
    expect((await fastify.inject({ url: "/child", headers: auth })).json()).toEqual({ sameClient: true, userId });
    expect((await fastify.inject({ url: "/count" })).json().total).toBeGreaterThanOrEqual(1);
    await fastify.close();
  });

  it("never shares per-request state between concurrent requests", async () => {
    const fastify = await app();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => fastify.inject({ url: "/whoami", headers: i % 2 === 0 ? { authorization: `Bearer ${token}` } : {} })));
    expect(results.map((r) => r.json().userId)).toEqual(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? userId : null)));
    await fastify.close();
  });

  it.each(["onRequest", "preHandler"] as const)("verifies in the %s hook over real HTTP, and requireAuth answers 401 JSON", async (hook) => {
    const fastify = await app({ tenantId: hj.tenantId, secretKey: hj.secretKey, baseUrl: hj.url, hook });
    const url = await fastify.listen({ port: 0, host: "127.0.0.1" });
    const none = await fetch(`${url}/me`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { type: "authentication_error", code: "unauthenticated", message: expect.any(String) } });
    const expired = await fetch(`${url}/me`, { headers: { authorization: "Bearer a.b.c" } });
    expect(await expired.json()).toMatchObject({ error: { code: "token_malformed" } });
    const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ id: userId, email: "fastify@example.com" });
    await fastify.close();
  });

  it("requireAuth({ checkRevoked }) refuses a session revoked by disable", async () => {
    const user = await hj.client.users.create({ email: "fastify-revoked@example.com", password: PASSWORD });
    const own = await signIn("fastify-revoked@example.com");
    const fastify = await app();
    expect((await fastify.inject({ url: "/strict", headers: { authorization: `Bearer ${own}` } })).statusCode).toBe(200);
    await hj.client.users.disable(user.id);
    const refused = await fastify.inject({ url: "/strict", headers: { authorization: `Bearer ${own}` } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ error: { code: "token_revoked" } });
    await fastify.close();
  });

  it("requireAuth({ audience, authorizedParties }) admits only tokens signed in for that API from that origin", async () => {
    const forApi = async (authorizedParty: string) =>
      (await hj.client.sessions.signInWithPassword({ email: "fastify@example.com", password: PASSWORD, audience: "https://api.example.com", authorizedParty })).accessToken;
    const fastify = await app();
    const get = async (bearer: string) => fastify.inject({ url: "/orders", headers: { authorization: `Bearer ${bearer}` } });
    expect((await get(await forApi("https://app.example.com"))).json()).toEqual({ aud: "https://api.example.com" });
    const noAudience = await get(token);
    expect(noAudience.statusCode).toBe(401);
    expect(noAudience.json()).toMatchObject({ error: { code: "token_invalid_audience" } });
    const otherOrigin = await get(await forApi("https://evil.example"));
    expect(otherOrigin.statusCode).toBe(401);
    expect(otherOrigin.json()).toMatchObject({ error: { code: "token_invalid_authorized_party" } });
    // The plugin's client-wide audience refuses the plain token on every route: it is no session at all.
    const strict = await app({ tenantId: hj.tenantId, secretKey: hj.secretKey, baseUrl: hj.url, audience: "https://api.example.com" });
    expect((await strict.inject({ url: "/whoami", headers: { authorization: `Bearer ${token}` } })).json()).toEqual({ userId: null, viaGetAuth: null });
    expect((await strict.inject({ url: "/whoami", headers: { authorization: `Bearer ${await forApi("https://x.example")}` } })).json()).toEqual({ userId, viaGetAuth: userId });
    await strict.close();
    await fastify.close();
  });

  it("fails clearly when registered twice", async () => {
    const fastify = Fastify();
    await fastify.register(hellojohn, { client: hj.client });
    fastify.register(hellojohn, { client: hj.client });
    await expect(fastify.ready()).rejects.toThrow(/already registered/);
  });

  it("validates options at registration, with the core's environment fallbacks", async () => {
    const saved = { ...process.env };
    try {
      delete process.env.HELLOJOHN_SECRET_KEY;
      await expect(Fastify().register(hellojohn, { tenantId: hj.tenantId }).ready()).rejects.toThrow(/HELLOJOHN_SECRET_KEY/);
      await expect(
        Fastify()
          .register(hellojohn, { client: hj.client, hook: "onSend" as never })
          .ready(),
      ).rejects.toThrow(/hook/);
      process.env.HELLOJOHN_TENANT_ID = hj.tenantId;
      process.env.HELLOJOHN_SECRET_KEY = hj.secretKey;
      process.env.HELLOJOHN_API_URL = hj.url;
      const fromEnv = Fastify();
      await fromEnv.register(hellojohn);
      await fromEnv.ready();
      expect(fromEnv.hj.tenantId).toBe(hj.tenantId);
      await fromEnv.close();
    } finally {
      process.env = saved;
    }
  });

  it("getAuth and requireAuth explain a missing registration", async () => {
    const fastify = Fastify();
    fastify.get("/", async (request) => getAuth(request));
    fastify.get("/guarded", { preHandler: requireAuth() }, async () => "unreachable");
    expect((await fastify.inject({ url: "/" })).json().message).toContain("not registered");
    expect((await fastify.inject({ url: "/guarded" })).json().message).toContain("not registered");
  });

  it("keeps public routes answering while HelloJohn is unreachable; requireAuth answers 503 JSON with Retry-After", async () => {
    // Port 9 is one fetch refuses outright: a connection failure without a network.
    const unreachable = new HelloJohn({ tenantId: hj.tenantId, secretKey: hj.secretKey, baseUrl: "http://127.0.0.1:9", maxRetries: 0, logLevel: "off" });
    const fastify = await app({ client: unreachable });
    const headers = { authorization: `Bearer ${token}` };
    const open = await fastify.inject({ url: "/whoami", headers });
    expect([open.statusCode, open.json()]).toEqual([200, { userId: null, viaGetAuth: null }]);
    const guarded = await fastify.inject({ url: "/me", headers });
    expect(guarded.statusCode).toBe(503);
    expect(guarded.headers["retry-after"]).toBe("5");
    expect(guarded.json()).toEqual({ error: { type: "api_error", code: "service_unavailable", message: expect.any(String) } });
  });

  it("answers SDK errors through errorResponse in setErrorHandler: API 4xx as they are, the app's refused key as a generic 500", async () => {
    const { keyId, secretKey } = await hj.server.tenants.createApiKey(hj.tenantId, "revoked-fastify");
    const revoked = new HelloJohn({ tenantId: hj.tenantId, secretKey, baseUrl: hj.url, maxRetries: 0, logLevel: "off" });
    await hj.server.tenants.revokeApiKey(hj.tenantId, keyId);
    const logged: string[] = [];
    const fastify = await app();
    fastify.get("/users/:id", async (request) => request.hj.users.get((request.params as { id: string }).id));
    fastify.get("/revoked", async () => revoked.users.list());
    fastify.setErrorHandler((error, _request, reply) => {
      if (!isHelloJohnError(error)) return reply.send(error);
      const { status, headers, body } = errorResponse(error, { logger: { warn: (m) => void logged.push(m), error: (m) => void logged.push(m) } });
      return reply.code(status).headers(headers).send(body);
    });
    const missing = await fastify.inject({ url: "/users/usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3" });
    expect([missing.statusCode, missing.json().error.code]).toEqual([404, "user_not_found"]);
    const refused = await fastify.inject({ url: "/revoked" });
    expect(refused.statusCode).toBe(500);
    expect(refused.json()).toEqual({ error: { type: "api_error", code: "internal_error", message: "Internal server error", requestId: expect.any(String) } });
    expect(logged).toEqual([expect.stringContaining("do not match an active API key")]);

    const strict = await app({ client: revoked });
    strict.get("/strict-revoked", { preHandler: requireAuth({ checkRevoked: true }) }, async () => "unreachable");
    const checked = await strict.inject({ url: "/strict-revoked", headers: { authorization: `Bearer ${token}` } });
    expect([checked.statusCode, checked.json().error.code]).toEqual([500, "internal_error"]);
  });

  it("refuses unknown options with a suggestion", async () => {
    await expect(
      Fastify()
        .register(hellojohn, { client: hj.client, timout: 5 } as never)
        .ready(),
    ).rejects.toThrow('@hellojohn/fastify has no option "timout"; did you mean "timeout"?');
    await expect(
      Fastify()
        .register(hellojohn, { client: hj.client, cookiename: "hj" } as never)
        .ready(),
    ).rejects.toThrow(/did you mean "cookieName"/);
    expect(() => requireAuth({ checkrevoked: true } as never)).toThrow(/did you mean "checkRevoked"/);
    const withPrefix = Fastify();
    await withPrefix.register(hellojohn, { client: hj.client, prefix: "/api" } as never);
    await withPrefix.ready();
    await withPrefix.close();
  });
});

describe("requireAuth({ role })", () => {
  let fastify: FastifyInstance;
  let tokens: { admin: string; member: string; noOrg: string };
  beforeAll(async () => {
    const org = await hj.client.organizations.create({ name: "Fastify roles" });
    const member = async (role: string) => {
      const address = `fastify-${role}@example.com`;
      const user = await hj.client.users.create({ email: address, password: PASSWORD });
      await hj.client.organizations.addMember(org.id, { userId: user.id, role });
      return (await hj.client.sessions.signInWithPassword({ email: address, password: PASSWORD, organizationId: org.id })).accessToken;
    };
    tokens = { admin: await member("admin"), member: await member("member"), noOrg: token };
    fastify = Fastify();
    await fastify.register(hellojohn, { client: hj.client });
    fastify.get("/org", { preHandler: requireAuth({ role: "admin" }) }, async (request) => ({ orgRole: request.hj.auth?.orgRole }));
    fastify.get("/org-strict", { preHandler: requireAuth({ role: ["owner", "admin"], checkRevoked: true }) }, async () => ({ ok: true }));
    fastify.get("/has", async (request) => ({ admin: request.hj.auth?.has({ role: "admin" }) ?? null }));
  });
  afterAll(() => fastify.close());
  const get = async (url: string, bearer?: string) => {
    const response = await fastify.inject({ url, headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
    return { status: response.statusCode, type: response.headers["content-type"], body: response.json() as Record<string, unknown> };
  };

  it("lets the role through, answers 403 insufficient_role JSON to other sessions and 401 without one", async () => {
    expect(await get("/org", tokens.admin)).toMatchObject({ status: 200, body: { orgRole: "admin" } });
    for (const other of [tokens.member, tokens.noOrg]) {
      expect(await get("/org", other)).toEqual({
        status: 403,
        type: expect.stringContaining("application/json"),
        body: { error: { type: "permission_error", code: "insufficient_role", message: expect.stringContaining('"admin"') } },
      });
    }
    expect(await get("/org")).toMatchObject({ status: 401, body: { error: { code: "unauthenticated" } } });
    expect(await get("/org-strict", tokens.admin)).toMatchObject({ status: 200 });
    expect(await get("/org-strict", tokens.member)).toMatchObject({ status: 403 });
  });

  it("as an onRequest hook, judges in the plugin's pass of hooks and refuses before the body is parsed", async () => {
    const guarded = Fastify();
    let parsed = 0;
    guarded.addContentTypeParser("application/json", { parseAs: "string" }, (_request, body, done) => {
      parsed++;
      done(null, JSON.parse(body as string));
    });
    await guarded.register(hellojohn, { client: hj.client });
    guarded.post("/org", { onRequest: requireAuth({ role: "admin" }) }, async (request) => ({ orgRole: request.hj.auth?.orgRole, body: request.body }));
    const post = async (bearer?: string) => {
      const headers = { "content-type": "application/json", ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }) };
      const response = await guarded.inject({ method: "POST", url: "/org", headers, payload: '{"name":"x"}' });
      return { status: response.statusCode, body: response.json() as Record<string, unknown> };
    };
    expect(await post(tokens.admin)).toEqual({ status: 200, body: { orgRole: "admin", body: { name: "x" } } });
    expect(parsed).toBe(1);
    expect(await post(tokens.member)).toMatchObject({ status: 403, body: { error: { code: "insufficient_role" } } });
    expect(await post()).toMatchObject({ status: 401, body: { error: { code: "unauthenticated" } } });
    // Neither refused request had its body parsed.
    expect(parsed).toBe(1);
    await guarded.close();
  });

  it("explains an onRequest requireAuth() running before the plugin's preHandler hook", async () => {
    const late = Fastify();
    await late.register(hellojohn, { client: hj.client, hook: "preHandler" });
    late.get("/early", { onRequest: requireAuth() }, async () => "unreachable");
    late.get("/in-order", { preHandler: requireAuth({ role: "admin" }) }, async (request) => ({ orgRole: request.hj.auth?.orgRole }));
    const early = await late.inject({ url: "/early", headers: { authorization: `Bearer ${tokens.admin}` } });
    expect(early.statusCode).toBe(500);
    expect(early.json().message).toMatch(/ran before HelloJohn's hook.*preHandler/);
    const inOrder = await late.inject({ url: "/in-order", headers: { authorization: `Bearer ${tokens.admin}` } });
    expect([inOrder.statusCode, inOrder.json()]).toEqual([200, { orgRole: "admin" }]);
    await late.close();
  });

  it("exposes has({ role }) on request.hj.auth, and refuses a malformed role option at declaration", async () => {
    expect((await get("/has", tokens.admin)).body).toEqual({ admin: true });
    expect((await get("/has", tokens.member)).body).toEqual({ admin: false });
    expect((await get("/has")).body).toEqual({ admin: null });
    expect(() => requireAuth({ role: "" })).toThrow(/option "role"/);
    expect(() => requireAuth({ role: [1] as never })).toThrow(TypeError);
  });
});
