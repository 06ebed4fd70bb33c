import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type HelloJohnServer } from "../src/app.js";
import { createConsoleLoginLink } from "../src/console/login-link.js";
import { MasterKey } from "../src/crypto/master-key.js";
import { backends } from "./backends.js";

// The console's security edges over real HTTP, on each database: a login link
// works once, the session is an HttpOnly SameSite=Strict cookie, every change
// needs the CSRF token, idle sessions are refused, and actions are audited
// with the operator as actor.
const IDLE_MS = 60_000;

describe.each(await backends())("console sessions on $name", (backend) => {
  let server: HelloJohnServer;
  let url: string;
  let databaseUrl: string;
  let tenantId: string;
  let otherTenantId: string;
  let secretKey: string;

  beforeAll(async () => {
    databaseUrl = await backend.create();
    server = await createServer({ databaseUrl, masterKey: MasterKey.generate(), passwordHashing: "unsafe-test-only", console: { idleTimeoutMs: IDLE_MS } });
    url = await server.listen();
    tenantId = (await server.tenants.createTenant("Console tenant")).id;
    otherTenantId = (await server.tenants.createTenant("Other tenant")).id;
    secretKey = (await server.tenants.createApiKey(tenantId, "seed")).secretKey;
  });
  afterAll(async () => {
    await server.close();
    await backend.drop(databaseUrl);
  });

  const tokenOf = (link: string): string => new URL(link).hash.replace("#login=", "");
  const login = (token: string) => fetch(`${url}/console/api/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token }) });

  /** Signs in through a fresh link; returns the cookie and CSRF token. */
  async function signIn(operator = "alice", tenant = tenantId): Promise<{ cookie: string; csrf: string }> {
    const link = await createConsoleLoginLink(server, { tenantId: tenant, operator, baseUrl: url });
    const response = await login(tokenOf(link.url));
    expect(response.status).toBe(200);
    const cookie = (response.headers.get("set-cookie") ?? "").split(";")[0] as string;
    const body = (await response.json()) as { csrf_token: string; operator: string };
    expect(body.operator).toBe(operator);
    return { cookie, csrf: body.csrf_token };
  }

  async function call(method: string, path: string, auth: { cookie?: string; csrf?: string }, body?: unknown) {
    const headers: Record<string, string> = {};
    if (auth.cookie !== undefined) headers.cookie = auth.cookie;
    if (auth.csrf !== undefined) headers["x-csrf-token"] = auth.csrf;
    if (body !== undefined) headers["content-type"] = "application/json";
    const response = await fetch(`${url}/console/api${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: response.status, body: (await response.json()) as Record<string, any> /* JSON of many shapes */ };
  }

  /** Users arrive through the API (the console has no create form). */
  async function newUser(email: string): Promise<string> {
    const response = await fetch(`${url}/v1/users`, {
      method: "POST",
      headers: { authorization: `Bearer ${secretKey}`, "hellojohn-tenant-id": tenantId, "content-type": "application/json" },
      body: JSON.stringify({ email, password: "correct horse battery", metadata: { plan: "free", seats: 1 } }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { id: string }).id;
  }

  it("serves the bundle at /console with a strict CSP and no outside origin", async () => {
    const page = await fetch(`${url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const csp = page.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await page.text();
    expect(html).not.toMatch(/https?:\/\//);
    const scripts = [...html.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)].map((m) => m[1] as string);
    expect(scripts.length).toBe(2);
    for (const path of scripts) {
      const asset = await fetch(`${url}${path}`);
      expect(asset.status).toBe(200);
      expect(await asset.text()).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z]/i);
    }
    expect((await fetch(`${url}/console/assets/nope.js`)).status).toBe(404);
  });

  it("a login link works once, and the session is an HttpOnly SameSite=Strict cookie on /console", async () => {
    const link = await createConsoleLoginLink(server, { tenantId, operator: "alice", baseUrl: url });
    expect(link.url.startsWith(`${url}/console/#login=`)).toBe(true);
    const first = await login(tokenOf(link.url));
    expect(first.status).toBe(200);
    const setCookie = first.headers.get("set-cookie") ?? "";
    expect(setCookie).toMatch(/^hj_console=[A-Za-z0-9_-]{43};/);
    expect(setCookie).toContain("HttpOnly");
    expect(setCookie).toContain("SameSite=Strict");
    expect(setCookie).toContain("Path=/console");
    const again = await login(tokenOf(link.url));
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { code: string } }).error.code).toBe("login_link_invalid");
    expect((await login("not-a-token-at-all-but-long-enough")).status).toBe(401);
    expect((await call("POST", "/login", {}, {})).body.error.param).toBe("token");
  });

  it("an expired login link is refused", async () => {
    const link = await createConsoleLoginLink(server, { tenantId, operator: "alice", baseUrl: url, ttlMs: 60_000 });
    await server.database.db
      .updateTable("console_login_links")
      .set({ expires_at: Date.now() - 1 })
      .where("used_at", "is", null)
      .execute();
    const response = await login(tokenOf(link.url));
    expect(response.status).toBe(401);
  });

  it("refuses requests without a session, and changes without the CSRF token", async () => {
    const auth = await signIn();
    const userId = await newUser(`csrf.${backend.name}@example.com`);
    expect((await call("GET", "/users", {})).status).toBe(401);
    expect((await call("GET", "/users", { cookie: "hj_console=forged-forged-forged-forged-forged" })).status).toBe(401);
    const listed = await call("GET", `/users?search=${encodeURIComponent(`csrf.${backend.name}`)}`, { cookie: auth.cookie });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((u: { id: string }) => u.id)).toEqual([userId]);
    // The page answers without counting; the exact total is its own request, with the same rules.
    expect(listed.body.total).toBeNull();
    expect((await call("GET", `/users/count?search=${encodeURIComponent(`csrf.${backend.name}`)}`, { cookie: auth.cookie })).body).toEqual({ total: 1 });
    expect((await call("GET", "/users/count", {})).status).toBe(401);
    expect((await call("GET", "/users/count?limit=5", { cookie: auth.cookie })).body.error.param).toBe("limit");

    const noToken = await call("POST", `/users/${userId}/disable`, { cookie: auth.cookie }, {});
    expect(noToken.status).toBe(403);
    expect(noToken.body.error.code).toBe("csrf_token_invalid");
    const wrongToken = await call("POST", `/users/${userId}/disable`, { cookie: auth.cookie, csrf: "0".repeat(64) }, {});
    expect(wrongToken.status).toBe(403);
    // Another session's token does not fit this session.
    const other = await signIn("bob");
    expect((await call("POST", `/users/${userId}/disable`, { cookie: auth.cookie, csrf: other.csrf }, {})).status).toBe(403);
    expect((await call("GET", `/users/${userId}`, { cookie: auth.cookie })).body.user.disabled).toBe(false);

    const done = await call("POST", `/users/${userId}/disable`, auth, {});
    expect(done.status).toBe(200);
    expect(done.body.disabled).toBe(true);
  });

  it("audits every console action with the operator as actor", async () => {
    const auth = await signIn("carol");
    const userId = await newUser(`audit.${backend.name}@example.com`);
    expect((await call("PATCH", `/users/${userId}`, auth, { metadata: { plan: "pro", seats: null } })).body.metadata).toEqual({ plan: "pro" });
    const impersonation = await call("POST", `/users/${userId}/impersonate`, auth, { reason: "ticket 42", expires_in: 300 });
    expect(impersonation.status).toBe(201);
    const detail = await call("GET", `/users/${userId}`, { cookie: auth.cookie });
    const session = (detail.body.sessions as { id: string; impersonator: { actor_id: string } | null }[]).find((s) => s.id === impersonation.body.session_id);
    expect(session?.impersonator?.actor_id).toBe("carol");
    const revoked = await call("POST", `/users/${userId}/sessions/${impersonation.body.session_id}/revoke`, auth, {});
    expect(revoked.body.revoked_at).not.toBeNull();
    const exported = await fetch(`${url}/console/api/users/${userId}/export`, {
      method: "POST",
      headers: { cookie: auth.cookie, "x-csrf-token": auth.csrf, "content-type": "application/json" },
      body: "{}",
    });
    expect(exported.headers.get("content-disposition")).toBe(`attachment; filename="${userId}.json"`);
    expect(((await exported.json()) as { user: { id: string } }).user.id).toBe(userId);

    const events = (await call("GET", `/users/${userId}`, { cookie: auth.cookie })).body.audit_events as { type: string; actor: { type: string; id: string } }[];
    const byOperator = events.filter((e) => e.actor.type === "operator" && e.actor.id === "carol").map((e) => e.type);
    expect(byOperator).toEqual(expect.arrayContaining(["user.updated", "user.impersonated", "session.revoked", "user.exported"]));
  });

  it("answers bad input with a 400 naming the field", async () => {
    const auth = await signIn();
    expect((await call("GET", "/users?status=bogus", { cookie: auth.cookie })).body.error.param).toBe("status");
    expect((await call("GET", "/users?org_id=nope", { cookie: auth.cookie })).body.error.param).toBe("org_id");
    expect((await call("GET", "/users/count?status=bogus", { cookie: auth.cookie })).body.error.param).toBe("status");
    expect((await call("GET", "/users/count?org_id=nope", { cookie: auth.cookie })).body.error.param).toBe("org_id");
    expect((await call("GET", "/users/usr_nope", { cookie: auth.cookie })).body.error.param).toBe("user_id");
    const userId = await newUser(`bad.${backend.name}@example.com`);
    const badPatch = await call("PATCH", `/users/${userId}`, auth, { metadata: "text" });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.error.param).toBe("metadata");
    const noReason = await call("POST", `/users/${userId}/impersonate`, auth, { reason: " " });
    expect(noReason.body.error.param).toBe("reason");
  });

  it("a session sees only its own tenant", async () => {
    const auth = await signIn("alice", otherTenantId);
    const userId = await newUser(`tenant.${backend.name}@example.com`);
    expect((await call("GET", `/users/${userId}`, { cookie: auth.cookie })).status).toBe(404);
    expect((await call("GET", "/users", { cookie: auth.cookie })).body.data).toEqual([]);
    expect((await call("GET", "/users/count", { cookie: auth.cookie })).body.total).toBe(0);
  });

  it("activity keeps a session alive past the idle timeout since sign-in", async () => {
    const auth = await signIn("dave");
    const backdated = Date.now() - IDLE_MS + 10_000;
    await server.database.db.updateTable("console_sessions").set({ last_seen_at: backdated }).where("operator", "=", "dave").execute();
    expect((await call("GET", "/session", { cookie: auth.cookie })).status).toBe(200);
    const row = await server.database.db.selectFrom("console_sessions").select("last_seen_at").where("operator", "=", "dave").executeTakeFirstOrThrow();
    expect(row.last_seen_at).toBeGreaterThan(backdated + 10_000);
  });

  it("refuses a session idle for longer than the timeout, and a signed-out one", async () => {
    const auth = await signIn();
    expect((await call("GET", "/session", { cookie: auth.cookie })).status).toBe(200);
    // Move the session's last activity back past the idle timeout instead of waiting.
    await server.database.db
      .updateTable("console_sessions")
      .set({ last_seen_at: Date.now() - IDLE_MS - 1 })
      .execute();
    const expired = await call("GET", "/users", { cookie: auth.cookie });
    expect(expired.status).toBe(401);
    expect(expired.body.error.code).toBe("console_session_expired");

    const fresh = await signIn();
    expect((await call("POST", "/logout", fresh, {})).status).toBe(200);
    expect((await call("GET", "/session", { cookie: fresh.cookie })).status).toBe(401);
  });

  it("sweeps expired login links and console sessions a day after they expire, and keeps live ones", async () => {
    const db = server.database.db;
    const live = await signIn("sweeper");
    const unused = await createConsoleLoginLink(server, { tenantId, operator: "sweeper", baseUrl: url });
    const count = async (table: "console_login_links" | "console_sessions") => (await db.selectFrom(table).select("id").where("operator", "=", "sweeper").execute()).length;
    expect([await count("console_login_links"), await count("console_sessions")]).toEqual([2, 1]);

    await server.sweep();
    expect([await count("console_login_links"), await count("console_sessions")]).toEqual([2, 1]);
    expect((await call("GET", "/session", live)).status).toBe(200);

    // Past the sessions' 12-hour maximum age and the day they are kept after it: both kinds go.
    const later = await server.sweep({ now: Date.now() + 37 * 3600 * 1000 });
    expect(later.consoleLoginLinks).toBeGreaterThanOrEqual(2);
    expect(later.consoleSessions).toBeGreaterThanOrEqual(1);
    expect([await count("console_login_links"), await count("console_sessions")]).toEqual([0, 0]);
    expect((await call("GET", "/session", live)).status).toBe(401);
    expect((await login(tokenOf(unused.url))).status).toBe(401);
  });
});
