import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import express5 from "express";
import express4 from "express4";
import type { ErrorRequestHandler, Express, Router } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorResponse, getAuth, hellojohn, HelloJohn, isHelloJohnError, requireAuth } from "../src/index.js";

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const PASSWORD = "TemporaryPass123!";
let hj: TestServer;
let token: string;
let userId: string;
const servers: Server[] = [];

beforeAll(async () => {
  hj = await startTestServer();
  const user = await hj.client.users.create({ email: "express@example.com", password: PASSWORD, firstName: "Ex" });
  userId = user.id;
  token = await signIn("express@example.com");
});
afterAll(async () => {
  for (const server of servers) server.close();
  await hj.close();
});

async function signIn(email: string): Promise<string> {
  return (await hj.client.sessions.signInWithPassword({ email, password: PASSWORD })).accessToken;
}

async function listen(app: Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const errorsAsJson: ErrorRequestHandler = (error: Error, _req, res, _next) => {
  res.status(500).json({ name: error.name, message: error.message });
};

const versions = [
  ["Express 5", express5 as unknown as () => Express],
  ["Express 4", express4 as unknown as () => Express],
] as const;

describe.each(versions)("%s", (_name, express) => {
  let url: string;
  beforeAll(async () => {
    const app = express();
    app.use(hellojohn({ tenantId: hj.tenantId, secretKey: hj.secretKey, baseUrl: hj.url, cookieName: "hj_session" }));
    app.use(hellojohn({ client: hj.client })); // mounting twice is harmless
    app.get("/whoami", (req, res) => {
      res.json({ auth: req.hj.auth === null ? null : { userId: req.hj.auth.userId }, fromGetAuth: getAuth(req)?.userId ?? null });
    });
    app.get("/me", requireAuth(), async (req, res, next) => {
      try {
        res.json(await req.hj.users.get(getAuth(req)?.userId as string));
      } catch (error) {
        next(error);
      }
    });
    app.get("/strict", requireAuth({ checkRevoked: true }), (req, res) => {
      res.json({ sessionId: req.hj.auth?.sessionId });
    });
    app.get("/orders", requireAuth({ audience: "https://api.example.com", authorizedParties: ["https://app.example.com"] }), (req, res) => {
      res.json({ aud: req.hj.auth?.claims.aud });
    });
    app.get("/users", async (req, res, next) => {
      try {
        const { users, total } = await req.hj.users.list({ search: String(req.query.q ?? "") });
        res.json({ emails: users.map((u) => u.email), total });
      } catch (error) {
        next(error);
      }
    });
    app.use(errorsAsJson);
    url = await listen(app);
  });

  it("gives routes the users API of the shared client", async () => {
    const body = await (await fetch(`${url}/users?q=express@`)).json();
    expect(body).toEqual({ emails: ["express@example.com"], total: 1 });
  });

  it("sets req.hj.auth from a bearer token, a cookie, or to null", async () => {
    const get = async (headers: Record<string, string>) => (await fetch(`${url}/whoami`, { headers })).json();
    expect(await get({ authorization: `Bearer ${token}` })).toEqual({ auth: { userId }, fromGetAuth: userId });
    expect(await get({ cookie: `other=1; hj_session=${encodeURIComponent(token)}` })).toEqual({ auth: { userId }, fromGetAuth: userId });
    expect(await get({})).toEqual({ auth: null, fromGetAuth: null });
    expect(await get({ authorization: `Bearer ${token.slice(0, -4)}AAAA` })).toEqual({ auth: null, fromGetAuth: null });
  });

  it("gives sub-apps and routers the session, each request its own, without adding a property to the request", async () => {
    const app = express();
    app.use(hellojohn({ client: hj.client }));
    const sub = express();
    sub.get("/who", (req, res) => {
      res.json({ userId: req.hj.auth?.userId ?? null, own: Object.hasOwn(req, "hj") });
    });
    sub.get("/guarded", requireAuth(), (req, res) => void res.json({ userId: req.hj.auth?.userId }));
    app.use("/sub", sub);
    const router = (express as unknown as { Router: () => Router }).Router();
    router.get("/who", (req, res) => void res.json({ userId: req.hj.auth?.userId ?? null }));
    app.use("/router", router);
    const base = await listen(app);
    const other = await hj.client.users.create({ email: `express-sub-${express === express5 ? 5 : 4}@example.com`, password: PASSWORD });
    const otherToken = await signIn(other.email as string);
    const who = async (path: string, bearer?: string) => (await fetch(`${base}${path}`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } })).json();
    // Concurrent requests with different sessions: each sees its own.
    const answers = await Promise.all([who("/sub/who", token), who("/sub/who", otherToken), who("/sub/who"), who("/router/who", otherToken)]);
    expect(answers).toEqual([{ userId, own: false }, { userId: other.id, own: false }, { userId: null, own: false }, { userId: other.id }]);
    // requireAuth() in a sub-app (another request prototype), interleaved with the other app's routes: each finds its request's session.
    const status = async (target: string, bearer?: string) => (await fetch(target, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } })).status;
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push(await status(`${base}/sub/guarded`, otherToken), await status(`${url}/me`, token), await status(`${base}/sub/guarded`), await status(`${url}/me`));
    expect(statuses).toEqual([200, 200, 401, 401, 200, 200, 401, 401, 200, 200, 401, 401]);
    expect(await who("/sub/guarded", otherToken)).toEqual({ userId: other.id });
  });

  it("works on a request object Express did not make (an ordinary hj property)", async () => {
    const req = { method: "GET", url: "/", headers: { authorization: `Bearer ${token}` } } as unknown as Parameters<ReturnType<typeof hellojohn>>[0];
    const res = {} as Parameters<ReturnType<typeof hellojohn>>[1];
    await new Promise<void>((resolve, reject) => hellojohn({ client: hj.client })(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
    expect(Object.hasOwn(req, "hj")).toBe(true);
    expect(getAuth(req)?.userId).toBe(userId);
    const passed = await new Promise<unknown>((resolve) => requireAuth()(req, res, resolve));
    expect(passed).toBeUndefined();
  });

  it("requireAuth answers 401 JSON without a valid session and lets a valid one through", async () => {
    const none = await fetch(`${url}/me`);
    expect(none.status).toBe(401);
    expect(none.headers.get("content-type")).toMatch(/application\/json/);
    expect(await none.json()).toEqual({ error: { type: "authentication_error", code: "unauthenticated", message: expect.any(String) } });
    const forged = await fetch(`${url}/me`, { headers: { authorization: "Bearer not.a.token" } });
    expect(await forged.json()).toMatchObject({ error: { code: "token_malformed" } });
    const ok = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await ok.json()).toMatchObject({ id: userId, email: "express@example.com" });
  });

  it("requireAuth({ audience, authorizedParties }) admits only tokens signed in for that API from that origin", async () => {
    const forApi = (authorizedParty: string) =>
      hj.client.sessions.signInWithPassword({ email: "express@example.com", password: PASSWORD, audience: "https://api.example.com", authorizedParty });
    const get = (bearer: string) => fetch(`${url}/orders`, { headers: { authorization: `Bearer ${bearer}` } });
    const ok = await get((await forApi("https://app.example.com")).accessToken);
    expect(await ok.json()).toEqual({ aud: "https://api.example.com" });
    const noAudience = await get(token);
    expect(noAudience.status).toBe(401);
    expect(await noAudience.json()).toMatchObject({ error: { code: "token_invalid_audience" } });
    const otherOrigin = await get((await forApi("https://evil.example")).accessToken);
    expect(otherOrigin.status).toBe(401);
    expect(await otherOrigin.json()).toMatchObject({ error: { code: "token_invalid_authorized_party" } });
  });

  it("requireAuth({ checkRevoked }) refuses a session revoked by disable", async () => {
    const email = `revoked-${_name.replace(/\W/g, "")}@example.com`;
    const user = await hj.client.users.create({ email, password: PASSWORD });
    const own = await signIn(email);
    expect((await fetch(`${url}/strict`, { headers: { authorization: `Bearer ${own}` } })).status).toBe(200);
    await hj.client.users.disable(user.id);
    const refused = await fetch(`${url}/strict`, { headers: { authorization: `Bearer ${own}` } });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: "token_revoked" } });
  });

  it("says so when hellojohn is mounted without being called", async () => {
    const app = express();
    app.use(hellojohn as never);
    app.get("/", (_req, res) => res.send("unreachable"));
    app.use(errorsAsJson);
    const body = (await (await fetch(await listen(app))).json()) as { message: string };
    expect(body.message).toContain("app.use(hellojohn())");
  });

  it("getAuth throws a clear error when the middleware is not mounted", async () => {
    const app = express();
    app.get("/", (req, res) => res.json(getAuth(req)));
    app.get("/guarded", requireAuth(), (_req, res) => res.send("unreachable"));
    app.use(errorsAsJson);
    const base = await listen(app);
    expect(((await (await fetch(base)).json()) as { message: string }).message).toContain("not mounted");
    expect(((await (await fetch(`${base}/guarded`)).json()) as { message: string }).message).toContain("not mounted");
  });

  it("keeps public routes answering while HelloJohn is unreachable; requireAuth answers 503 JSON with Retry-After", async () => {
    const app = express();
    const unreachable = new HelloJohn({ tenantId: hj.tenantId, secretKey: hj.secretKey, baseUrl: `http://127.0.0.1:${await closedPort()}`, maxRetries: 0, logLevel: "off" });
    app.use(hellojohn({ client: unreachable }));
    app.get("/", (req, res) => res.json({ auth: req.hj.auth }));
    app.get("/private", requireAuth(), (_req, res) => res.send("unreachable"));
    const base = await listen(app); // no error handler: Express's own would answer HTML
    const bearer = { authorization: `Bearer ${token}` };
    const open = await fetch(base, { headers: bearer });
    expect([open.status, await open.json()]).toEqual([200, { auth: null }]);
    const guarded = await fetch(`${base}/private`, { headers: bearer });
    expect(guarded.status).toBe(503);
    expect(guarded.headers.get("retry-after")).toBe("5");
    expect(guarded.headers.get("content-type")).toMatch(/application\/json/);
    expect(await guarded.json()).toEqual({ error: { type: "api_error", code: "service_unavailable", message: expect.any(String) } });
  });

  it("answers the README's error handler: the API's 4xx pass through; the app's refused key is a generic 500", async () => {
    const { keyId, secretKey } = await hj.server.tenants.createApiKey(hj.tenantId, `revoked-${_name}`);
    const revokedKey = new HelloJohn({ tenantId: hj.tenantId, secretKey, baseUrl: hj.url, maxRetries: 0, logLevel: "off" });
    await hj.server.tenants.revokeApiKey(hj.tenantId, keyId);
    const logged: string[] = [];
    const app = express();
    app.use(hellojohn({ client: hj.client }));
    app.get("/users/:id", async (req, res, next) => {
      try {
        res.json(await req.hj.users.get(String(req.params.id)));
      } catch (error) {
        next(error);
      }
    });
    app.patch("/users/:id", async (req, res, next) => {
      try {
        res.json(await req.hj.users.update(String(req.params.id), { phoneNumber: "555-0123" }));
      } catch (error) {
        next(error);
      }
    });
    app.get("/with-revoked-key", async (_req, res, next) => {
      try {
        res.json(await revokedKey.users.list());
      } catch (error) {
        next(error);
      }
    });
    const onError: ErrorRequestHandler = (err, _req, res, next) => {
      if (!isHelloJohnError(err)) return next(err);
      const logger = { warn: (m: string) => void logged.push(m), error: (m: string) => void logged.push(m) };
      const { status, headers, body } = errorResponse(err, { logger });
      res.status(status).set(headers).json(body);
    };
    app.use(onError);
    const base = await listen(app);
    const missing = await fetch(`${base}/users/usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3`);
    expect([missing.status, await missing.json()]).toEqual([
      404,
      { error: { type: "not_found_error", code: "user_not_found", message: expect.any(String), requestId: expect.stringMatching(/\S/) } },
    ]);
    const invalid = await fetch(`${base}/users/${userId}`, { method: "PATCH" });
    expect(invalid.status).toBe(400);
    expect(await invalid.json()).toMatchObject({ error: { type: "validation_error", param: "phone_number" } });
    expect(logged).toEqual([]);
    const refused = await fetch(`${base}/with-revoked-key`);
    expect(refused.status).toBe(500);
    const body = await refused.text();
    expect(JSON.parse(body)).toEqual({ error: { type: "api_error", code: "internal_error", message: "Internal server error", requestId: expect.any(String) } });
    expect(body).not.toMatch(/key|tenant/i);
    expect(logged).toEqual([expect.stringContaining("The tenant ID and secret key do not match an active API key")]);
  });

  it("answers HelloJohn's rate limit on the app's key with 503 and Retry-After, and passes an end user's throttle through", async () => {
    // A real server whose limits are tiny: one admin call a minute, one sign-in attempt per account and IP.
    const limited = await startTestServer({ limits: { adminApi: { requests: 1, windowSeconds: 60 }, signInPerAccountAndIp: { attempts: 1, windowSeconds: 60 } } });
    try {
      const client = new HelloJohn({ tenantId: limited.tenantId, secretKey: limited.secretKey, baseUrl: limited.url, maxRetries: 0, logLevel: "off" });
      const logged: string[] = [];
      const app = express();
      app.use(hellojohn({ client }));
      app.get("/users", async (req, res, next) => {
        try {
          res.json(await req.hj.users.list({ limit: 1 }));
        } catch (error) {
          next(error);
        }
      });
      app.post("/sign-in", async (_req, res, next) => {
        try {
          res.json(await client.sessions.signInWithPassword({ email: "nobody@example.com", password: "Wrong-password-1" }));
        } catch (error) {
          next(error);
        }
      });
      const onError: ErrorRequestHandler = (err, _req, res, next) => {
        if (!isHelloJohnError(err)) return next(err);
        const { status, headers, body } = errorResponse(err, { logger: { warn: (m: string) => void logged.push(m), error: (m: string) => void logged.push(m) } });
        res.status(status).set(headers).json(body);
      };
      app.use(onError);
      const base = await listen(app);
      expect((await fetch(`${base}/users`)).status).toBe(200);
      const limitedAnswer = await fetch(`${base}/users`);
      expect(limitedAnswer.status).toBe(503);
      expect(Number(limitedAnswer.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(await limitedAnswer.json()).toMatchObject({ error: { code: "service_unavailable" } });
      expect(logged).toEqual([expect.stringContaining("Too many requests for this secret key")]);
      // The end user's own throttle is theirs to see: 401, then 429 with Retry-After, passed through.
      expect((await fetch(`${base}/sign-in`, { method: "POST" })).status).toBe(401);
      const throttled = await fetch(`${base}/sign-in`, { method: "POST" });
      expect(throttled.status).toBe(429);
      expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });

  it("requireAuth({ checkRevoked }) answers a generic 500 when HelloJohn refuses the app's own key", async () => {
    const { keyId, secretKey } = await hj.server.tenants.createApiKey(hj.tenantId, `check-${_name}`);
    const client = new HelloJohn({ tenantId: hj.tenantId, secretKey, baseUrl: hj.url, maxRetries: 0, logLevel: "off" });
    await hj.server.tenants.revokeApiKey(hj.tenantId, keyId);
    const app = express();
    app.use(hellojohn({ client }));
    app.get("/strict", requireAuth({ checkRevoked: true }), (_req, res) => res.send("unreachable"));
    const response = await fetch(`${await listen(app)}/strict`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: { code: "internal_error", message: "Internal server error" } });
  });
});

describe.each(versions)("%s: requireAuth({ role })", (_name, express) => {
  let url: string;
  let tokens: { admin: string; member: string; noOrg: string; impersonatedAdmin: string };
  beforeAll(async () => {
    const tag = _name.replace(/\W/g, "").toLowerCase();
    const org = await hj.client.organizations.create({ name: `Roles ${tag}` });
    const member = async (role: string) => {
      const address = `${role}-${tag}@example.com`;
      const user = await hj.client.users.create({ email: address, password: PASSWORD });
      await hj.client.organizations.addMember(org.id, { userId: user.id, role });
      return { user, token: (await hj.client.sessions.signInWithPassword({ email: address, password: PASSWORD, organizationId: org.id })).accessToken };
    };
    const admin = await member("admin");
    tokens = {
      admin: admin.token,
      member: (await member("member")).token,
      noOrg: token,
      impersonatedAdmin: (await hj.client.users.impersonate(admin.user.id, { reason: "Roles test", organizationId: org.id })).accessToken,
    };
    const app = express();
    app.use(hellojohn({ client: hj.client }));
    app.get("/org", requireAuth({ role: "admin" }), (req, res) => {
      res.json({ orgId: req.hj.auth?.orgId, orgRole: req.hj.auth?.orgRole });
    });
    app.get("/org-strict", requireAuth({ role: ["owner", "admin"], checkRevoked: true }), (_req, res) => void res.json({ ok: true }));
    app.get("/has", (req, res) => void res.json({ admin: req.hj.auth?.has({ role: "admin" }) ?? null }));
    app.use(errorsAsJson);
    url = await listen(app);
  });
  const get = async (path: string, bearer?: string) => {
    const response = await fetch(`${url}${path}`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("lets the role through, answers 403 insufficient_role to other sessions and 401 without one", async () => {
    expect(await get("/org", tokens.admin)).toMatchObject({ status: 200, body: { orgId: expect.stringMatching(/^org_/), orgRole: "admin" } });
    expect(await get("/org", tokens.impersonatedAdmin)).toMatchObject({ status: 200, body: { orgRole: "admin" } });
    for (const other of [tokens.member, tokens.noOrg]) {
      expect(await get("/org", other)).toEqual({
        status: 403,
        body: { error: { type: "permission_error", code: "insufficient_role", message: expect.stringContaining('"admin"') } },
      });
    }
    expect(await get("/org")).toMatchObject({ status: 401, body: { error: { code: "unauthenticated" } } });
    expect(await get("/org-strict", tokens.admin)).toMatchObject({ status: 200 });
    expect(await get("/org-strict", tokens.member)).toMatchObject({ status: 403 });
  });

  it("exposes has({ role }) on req.hj.auth", async () => {
    expect((await get("/has", tokens.admin)).body).toEqual({ admin: true });
    expect((await get("/has", tokens.member)).body).toEqual({ admin: false });
    expect((await get("/has")).body).toEqual({ admin: null });
  });

  it("refuses a malformed role option when the route is declared", () => {
    expect(() => requireAuth({ role: "" })).toThrow(/option "role"/);
    expect(() => requireAuth({ role: [] })).toThrow(/option "role"/);
    expect(() => requireAuth({ role: 42 as never })).toThrow(TypeError);
  });
});

describe("hellojohn() options", () => {
  it("are validated when the middleware is created, naming what is missing", () => {
    const saved = { ...process.env };
    try {
      delete process.env.HELLOJOHN_TENANT_ID;
      expect(() => hellojohn({ secretKey: hj.secretKey })).toThrow(/HELLOJOHN_TENANT_ID/);
      expect(() => hellojohn({ client: hj.client, cookieName: "" })).toThrow(/cookieName/);
      expect(() => hellojohn({ client: {} as HelloJohn })).toThrow(/client/);
      expect(() => hellojohn({ client: hj.client, timout: 5 } as never)).toThrow('hellojohn() has no option "timout"; did you mean "timeout"?');
      expect(() => hellojohn({ tenantID: hj.tenantId, secretKey: hj.secretKey } as never)).toThrow(/did you mean "tenantId"/);
      expect(() => requireAuth({ checkRevokd: true } as never)).toThrow('requireAuth() has no option "checkRevokd"; did you mean "checkRevoked"?');
    } finally {
      process.env = saved;
    }
  });
});
