import { HelloJohn } from "@hellojohn/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./backends.js";
import { email, harness, type Harness } from "./helpers.js";

const PASSWORD = "TemporaryPass123!";

// What the server does with users (isolation, deletion, hostile input, the contract); the SDK's users tests are packages/node/test/users.test.ts.
describe.each(await backends())("users API end to end on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(backend);
  });
  afterAll(async () => {
    expect(h.checker.violations).toEqual([]);
    await h.close();
  });

  describe("export and delete", () => {
    it("exports sessions, factors, connections, memberships and audit events, with no secret, and audits itself", async () => {
      const address = email("exp");
      const user = await h.hj.users.create({ email: address, password: PASSWORD, metadata: { a: 1 } });
      await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD });
      const org = await h.hj.organizations.create({ name: "Exporters" });
      await h.hj.organizations.addMember(org.id, { userId: user.id });
      await insertCredentials(h, user.id);

      const data = await h.hj.users.export(user.id);
      expect(data.user).toEqual(await h.hj.users.get(user.id));
      expect(data.sessions).toHaveLength(1);
      expect(data.mfaFactors).toMatchObject([{ type: "totp" }]);
      expect(data.oauthConnections).toMatchObject([{ provider: "github", providerUserId: "gh-1" }]);
      expect(data.memberships).toMatchObject([{ orgId: org.id, orgName: "Exporters", role: "member" }]);
      expect(data.auditEvents.map((e) => e.type)).toEqual(expect.arrayContaining(["user.created", "user.signed_in", "user.exported"]));
      const text = JSON.stringify(data);
      for (const secret of ["$argon2", "password_hash", "sealed", "token_hash", "TOTPSECRET", "gho_token"]) expect(text).not.toContain(secret);
    });

    it("deletes everything about the user but one anonymous user.deleted event", async () => {
      const address = email("del");
      const user = await h.hj.users.create({ email: address, password: PASSWORD, metadata: { pii: "yes" } });
      const signed = await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD });
      await h.hj.users.impersonate(user.id, { reason: "look" });
      const org = await h.hj.organizations.create({ name: "Deleters" });
      await h.hj.organizations.addMember(org.id, { userId: user.id });
      await h.hj.users.update(user.id, { metadata: { more: 1 } });
      await insertCredentials(h, user.id);

      expect(await h.hj.users.delete(user.id)).toEqual({ id: user.id, deleted: true });
      await expect(h.hj.users.get(user.id)).rejects.toMatchObject({ status: 404 });
      await expect(h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD })).rejects.toMatchObject({ status: 401 });
      await expect(h.hj.sessions.refresh(signed.refreshToken)).rejects.toMatchObject({ status: 401 });

      const mentions = await rowsMentioning(h, [user.id, address]);
      expect(mentions).toEqual([{ table: "audit_events", type: "user.deleted" }]);
      // A retried delete answers the same.
      expect(await h.hj.users.delete(user.id)).toEqual({ id: user.id, deleted: true });
    });
  });

  describe("tenants and keys", () => {
    it("a key of tenant A never reads, changes or detects tenant B's users", async () => {
      const tenantB = await h.t.server.tenants.createTenant("B");
      const keyB = await h.t.server.tenants.createApiKey(tenantB.id);
      const b = new HelloJohn({ tenantId: tenantB.id, secretKey: keyB.secretKey, baseUrl: h.t.url, maxRetries: 0 });
      const secretOfA = await h.hj.users.create({ email: email("tenant-a") });

      const missing = await b.users.get("usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3").catch((e: unknown) => e);
      const foreign = await b.users.get(secretOfA.id).catch((e: unknown) => e);
      expect(foreign).toMatchObject({ status: 404, code: "user_not_found", message: (missing as Error).message });
      await expect(b.users.update(secretOfA.id, { firstName: "Mallory" })).rejects.toMatchObject({ status: 404 });
      await expect(b.users.delete(secretOfA.id)).rejects.toMatchObject({ status: 404 });
      await expect(b.users.getByEmail(secretOfA.email)).rejects.toMatchObject({ status: 404 });
      expect((await b.users.list({ search: secretOfA.email })).total).toBe(0);
      expect((await b.users.list()).total).toBe(0);
      expect((await h.hj.users.get(secretOfA.id)).firstName).toBeNull();

      // A's key presented for B's tenant is refused exactly like a bad key.
      const confused = new HelloJohn({ tenantId: tenantB.id, secretKey: h.t.secretKey, baseUrl: h.t.url, maxRetries: 0 });
      const wrongKey = new HelloJohn({ tenantId: h.t.tenantId, secretKey: keyB.secretKey.replace(/.{4}$/, "AAAA"), baseUrl: h.t.url, maxRetries: 0 });
      const e1 = await confused.users.list().catch((e: unknown) => e);
      const e2 = await wrongKey.users.list().catch((e: unknown) => e);
      expect(e1).toMatchObject({ name: "AuthenticationError", status: 401, code: "invalid_api_key" });
      expect((e1 as Error).message).toBe((e2 as Error).message);
    });

    it("a revoked key stops working", async () => {
      const key = await h.t.server.tenants.createApiKey(h.t.tenantId, "temp");
      const hj = new HelloJohn({ tenantId: h.t.tenantId, secretKey: key.secretKey, baseUrl: h.t.url, maxRetries: 0 });
      await hj.users.list({ limit: 1 });
      await h.t.server.tenants.revokeApiKey(h.t.tenantId, key.keyId);
      await expect(hj.users.list({ limit: 1 })).rejects.toMatchObject({ status: 401 });
    });
  });

  describe("hostile input", () => {
    it("answers oversized bodies, bad JSON and unknown fields with 4xx naming the problem", async () => {
      const headers = { authorization: `Bearer ${h.t.secretKey}`, "hellojohn-tenant-id": h.t.tenantId, "content-type": "application/json" };
      const big = await fetch(`${h.t.url}/v1/users`, { method: "POST", headers, body: JSON.stringify({ email: "a@b.co", metadata: { x: "y".repeat(100_000) } }) });
      expect(big.status).toBe(413);
      expect(await big.json()).toMatchObject({ error: { code: "body_too_large", param: "body", requestId: expect.stringMatching(/^req_/) } });
      const bad = await fetch(`${h.t.url}/v1/users`, { method: "POST", headers, body: "{not json" });
      expect(bad.status).toBe(400);
      expect(await bad.json()).toMatchObject({ error: { code: "invalid_json" } });
      const unknown = await fetch(`${h.t.url}/v1/users`, { method: "POST", headers, body: JSON.stringify({ email: "a@b.co", role: "admin" }) });
      expect(await unknown.json()).toMatchObject({ error: { code: "unknown_param", param: "role" } });
      const text = await fetch(`${h.t.url}/v1/users`, { method: "POST", headers: { ...headers, "content-type": "text/plain" }, body: "hi" });
      expect(text.status).toBe(415);
      const deep = await fetch(`${h.t.url}/v1/users`, { method: "POST", headers, body: `{"email":"a@b.co","metadata":{"a":${"[".repeat(5000)}${"]".repeat(5000)}}}` });
      expect(await deep.json()).toMatchObject({ error: { code: "metadata_too_deep", param: "metadata" } });
      const poisoned = await fetch(`${h.t.url}/v1/users`, { method: "POST", headers, body: '{"email":"a@b.co","metadata":{"__proto__":{"admin":true}}}' });
      expect(poisoned.status).toBe(400);
      const badUrl = await fetch(`${h.t.url}/v1/users/%E0%A4%A`, { headers });
      expect(badUrl.status).toBe(400);
      expect(badUrl.headers.get("x-request-id")).toMatch(/^req_/);
      expect(await badUrl.json()).toMatchObject({ error: { code: "invalid_url" } });
    });

    it("never answers 5xx to random requests", async () => {
      let seed = 42;
      const random = (): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed / 2 ** 31;
      };
      const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
      const values: unknown[] = [null, true, 0, -1, 1e308, "", "x", "usr_", "%00", "\u0000", [], {}, [1], { a: { b: null } }, "a".repeat(5000)];
      const paths = [
        "/v1/users",
        "/v1/users/by-email",
        "/v1/users/usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3",
        "/v1/users/%2e%2e",
        "/v1/users/x/disable",
        "/v1/users/x/impersonate",
        "/v1/organizations",
        "/v1/organizations/x/members",
        "/v1/sessions/x",
        `/v1/tenants/${h.t.tenantId}/auth/sign-in`,
        `/v1/tenants/x/jwks.json`,
        "/v1/nope",
      ];
      const fields = ["email", "password", "first_name", "metadata", "limit", "cursor", "reason", "expires_in", "user_id", "name", "refresh_token", "__proto__", "constructor"];
      const headers = { authorization: `Bearer ${h.t.secretKey}`, "hellojohn-tenant-id": h.t.tenantId, "content-type": "application/json" };
      const statuses: number[] = [];
      for (let i = 0; i < 300; i++) {
        const method = pick(["GET", "POST", "PATCH", "DELETE", "PUT"] as const);
        const query = `?${pick(fields)}=${encodeURIComponent(String(pick(values)))}`;
        const body =
          method === "GET" || method === "DELETE" ? undefined : JSON.stringify(random() < 0.2 ? pick(values) : { [pick(fields)]: pick(values), [pick(fields)]: pick(values) });
        const response = await fetch(`${h.t.url}${pick(paths)}${query}`, { method, headers, body });
        statuses.push(response.status);
        if (response.status >= 400) expect(((await response.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
        else await response.arrayBuffer();
      }
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
    });
  });

  // The SDK's own behaviour is tested in packages/node/test; this walk checks that the server answers each of its operations as openapi.json says.
  it("answers every operation of the SDK as the OpenAPI document describes it", async () => {
    const address = email("walk");
    const user = await h.hj.users.create({ email: address, password: PASSWORD });
    await h.hj.users.get(user.id);
    await h.hj.users.getByEmail(address);
    await h.hj.users.list({ limit: 1 });
    await h.hj.users.update(user.id, { firstName: "Walker", metadata: { step: 1 } });
    const signedIn = await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD });
    await h.hj.verifyToken(signedIn.accessToken, { checkRevoked: true });
    // A client that reaches the server by another name discovers its issuer.
    const elsewhere = new HelloJohn({ tenantId: h.t.tenantId, secretKey: h.t.secretKey, baseUrl: h.t.url.replace("127.0.0.1", "localhost"), fetch: h.checker.fetch() });
    await elsewhere.verifyToken(signedIn.accessToken);
    const refreshed = await h.hj.sessions.refresh(signedIn.refreshToken);
    await h.hj.sessions.signOut(refreshed.refreshToken);
    await h.hj.users.impersonate(user.id, { reason: "contract walk" });
    await h.hj.users.export(user.id);
    await h.hj.users.disable(user.id);
    await h.hj.users.enable(user.id);
    const org = await h.hj.organizations.create({ name: "Walkers" });
    await h.hj.organizations.get(org.id);
    await h.hj.organizations.list({ limit: 1 });
    await h.hj.organizations.update(org.id, { name: "Walkers Inc" });
    await h.hj.organizations.addMember(org.id, { userId: user.id });
    await h.hj.organizations.listMembers(org.id);
    await h.hj.organizations.removeMember(org.id, user.id);
    await h.hj.organizations.delete(org.id);
    await h.hj.users.delete(user.id);
    for (const op of [
      "listUsers",
      "createUser",
      "getUser",
      "getUserByEmail",
      "updateUser",
      "deleteUser",
      "disableUser",
      "enableUser",
      "impersonateUser",
      "exportUser",
      "getSession",
      "getJwks",
      "getOpenIdConfiguration",
      "createOrganization",
      "addMember",
      "listMembers",
      "removeMember",
      "listOrganizations",
      "updateOrganization",
      "deleteOrganization",
      "getOrganization",
      "signIn",
      "refreshSession",
      "signOut",
    ]) {
      expect(h.checker.seen).toContain(op);
    }
    expect(h.checker.violations).toEqual([]);
  });
});

/** MFA factors and OAuth connections have no admin API yet: they are written as sign-up flows would. */
async function insertCredentials(h: Harness, userId: string): Promise<void> {
  const db = h.t.server.database.db;
  const now = Date.now();
  await db
    .insertInto("mfa_factors")
    .values({ id: `mfa_${userId.slice(4)}`, tenant_id: h.t.tenantId, user_id: userId, type: "totp", sealed_secret: "sealed:TOTPSECRET", created_at: now })
    .execute();
  await db
    .insertInto("oauth_connections")
    .values({
      id: `oac_${userId.slice(4)}`,
      tenant_id: h.t.tenantId,
      user_id: userId,
      provider: "github",
      provider_user_id: "gh-1",
      sealed_tokens: "sealed:gho_token",
      created_at: now,
    })
    .execute();
}

const TABLES = [
  "tenants",
  "api_keys",
  "signing_keys",
  "users",
  "sessions",
  "refresh_tokens",
  "mfa_factors",
  "oauth_connections",
  "organizations",
  "memberships",
  "audit_events",
  "idempotency_keys",
] as const;

async function rowsMentioning(h: Harness, needles: string[]): Promise<{ table: string; type?: string }[]> {
  const found: { table: string; type?: string }[] = [];
  for (const table of TABLES) {
    const rows = (await h.t.server.database.db.selectFrom(table).selectAll().execute()) as Record<string, unknown>[];
    for (const row of rows) {
      const text = JSON.stringify(row).toLowerCase();
      if (needles.some((n) => text.includes(n.toLowerCase()))) found.push(table === "audit_events" ? { table, type: row.type as string } : { table });
    }
  }
  return found;
}
