import type { HelloJohn } from "@hellojohn/node";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appClient, type Json } from "./app-client.js";

export { describeAuthorization } from "./authorization.js";

/** A started example app. */
export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

export const ADMIN = { email: "admin@example.com", password: "Admin-Passw0rd!" };
export const JANE = { email: "jane@example.com", password: "Jane-Passw0rd!" };

/**
 * The journey every example app supports, over real HTTP against a real
 * HelloJohn server: sign-in, `/me`, and the admin routes for list/search,
 * metadata, disable/enable, impersonate and export.
 */
export function describeJourney(name: string, startApp: (client: HelloJohn) => Promise<RunningApp>): void {
  describe(`${name}: the user journey`, () => {
    let hj: TestServer;
    let app: RunningApp;
    let janeId: string;
    let adminId: string;

    const call = appClient(() => app);
    const signIn = async (who: { email: string; password: string }) => {
      const response = await call("POST", "/auth/sign-in", { body: who });
      expect(response.status).toBe(200);
      return response.body.accessToken as string;
    };

    beforeAll(async () => {
      hj = await startTestServer();
      adminId = (await hj.client.users.create({ ...ADMIN, firstName: "Ada", lastName: "Admin", metadata: { role: "admin" } })).id;
      janeId = (await hj.client.users.create({ ...JANE, firstName: "Jane", lastName: "Doe", metadata: { plan: "free" } })).id;
      app = await startApp(hj.client);
    });
    afterAll(async () => {
      await app?.close();
      await hj?.close();
    });

    it("signs in through HelloJohn, sets a session cookie, and serves /me from the cookie or a bearer token", async () => {
      const response = await call("POST", "/auth/sign-in", { body: JANE });
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ user: { id: janeId, email: JANE.email }, accessToken: expect.any(String), refreshToken: expect.any(String) });
      expect(response.setCookie).toMatch(/hj_session=.+HttpOnly/i);
      const cookie = (response.setCookie as string).split(";")[0] as string;
      expect(await call("GET", "/me", { cookie })).toMatchObject({ status: 200, body: { id: janeId, email: JANE.email } });
      expect(await call("GET", "/me", { token: response.body.accessToken })).toMatchObject({ status: 200, body: { id: janeId } });
    });

    it("refuses bad credentials and malformed sign-in bodies with JSON errors", async () => {
      expect(await call("POST", "/auth/sign-in", { body: { email: JANE.email, password: "wrong-password" } })).toMatchObject({
        status: 401,
        body: { error: { code: "invalid_credentials" } },
      });
      const malformed = await call("POST", "/auth/sign-in", { body: { email: 42 } });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error).toBeDefined();
      expect(await call("GET", "/me")).toMatchObject({ status: 401, body: { error: { code: "unauthenticated" } } });
    });

    it("keeps admin routes for admins", async () => {
      const jane = await signIn(JANE);
      expect(await call("GET", "/admin/users", { token: jane })).toMatchObject({ status: 403, body: { error: { code: "admin_required" } } });
      expect((await call("GET", "/admin/users")).status).toBe(401);
    });

    it("lists and searches users", async () => {
      const admin = await signIn(ADMIN);
      const all = await call("GET", "/admin/users", { token: admin });
      expect(all).toMatchObject({ status: 200, body: { total: 2 } });
      const found = await call("GET", "/admin/users?search=doe&limit=10", { token: admin });
      expect(found.body.users.map((u: Json) => u.email)).toEqual([JANE.email]);
      const paged = await call("GET", "/admin/users?limit=1", { token: admin });
      expect(paged.body.users).toHaveLength(1);
      const next = await call("GET", `/admin/users?limit=1&cursor=${encodeURIComponent(paged.body.nextCursor)}`, { token: admin });
      expect(next.body.users[0].id).not.toBe(paged.body.users[0].id);
      expect(await call("GET", "/admin/users?limit=500", { token: admin })).toMatchObject({ status: 400, body: { error: { param: "limit" } } });
    });

    it("merges metadata", async () => {
      const admin = await signIn(ADMIN);
      const updated = await call("PATCH", `/admin/users/${janeId}/metadata`, { token: admin, body: { metadata: { plan: "pro", flags: { beta: true } } } });
      expect(updated).toMatchObject({ status: 200, body: { metadata: { plan: "pro", flags: { beta: true } } } });
      const removed = await call("PATCH", `/admin/users/${janeId}/metadata`, { token: admin, body: { metadata: { flags: null } } });
      expect(removed.body.metadata).toEqual({ plan: "pro" });
      expect((await call("PATCH", `/admin/users/${janeId}/metadata`, { token: admin, body: { metadata: "nope" } })).status).toBe(400);
      expect(await call("PATCH", "/admin/users/usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3/metadata", { token: admin, body: { metadata: {} } })).toMatchObject({
        status: 404,
        body: { error: { code: "user_not_found" } },
      });
    });

    it("disables (revoking Jane's session at once) and enables", async () => {
      const admin = await signIn(ADMIN);
      const jane = await signIn(JANE);
      expect((await call("POST", `/admin/users/${janeId}/disable`, { token: admin })).body.disabled).toBe(true);
      expect(await call("GET", "/me", { token: jane })).toMatchObject({ status: 401, body: { error: { code: "token_revoked" } } });
      expect(await call("POST", "/auth/sign-in", { body: JANE })).toMatchObject({ status: 403, body: { error: { code: "user_disabled" } } });
      expect((await call("POST", `/admin/users/${janeId}/enable`, { token: admin })).body.disabled).toBe(false);
      expect((await call("GET", "/me", { token: await signIn(JANE) })).status).toBe(200);
    });

    it("impersonates with a reason, and the impersonation session is not an admin", async () => {
      const admin = await signIn(ADMIN);
      expect((await call("POST", `/admin/users/${janeId}/impersonate`, { token: admin, body: {} })).status).toBe(400);
      const impersonation = await call("POST", `/admin/users/${janeId}/impersonate`, { token: admin, body: { reason: "Ticket #4521", expiresIn: "10m" } });
      expect(impersonation).toMatchObject({ status: 200, body: { accessToken: expect.any(String), sessionId: expect.stringMatching(/^ses_/) } });
      expect(await call("GET", "/me", { token: impersonation.body.accessToken })).toMatchObject({ status: 200, body: { id: janeId } });
      // Even an admin's own account, when impersonated, gets no admin powers.
      const asAdmin = await call("POST", `/admin/users/${adminId}/impersonate`, { token: admin, body: { reason: "Ticket #4522" } });
      expect(await call("GET", "/admin/users", { token: asAdmin.body.accessToken })).toMatchObject({ status: 403, body: { error: { code: "admin_required" } } });
    });

    it("exports a user's data", async () => {
      const admin = await signIn(ADMIN);
      const exported = await call("GET", `/admin/users/${janeId}/export`, { token: admin });
      expect(exported.status).toBe(200);
      expect(exported.body.user.id).toBe(janeId);
      expect(exported.body.sessions.length).toBeGreaterThan(0);
      expect(exported.body.auditEvents.map((e: Json) => e.type)).toContain("user.impersonated");
      expect(JSON.stringify(exported.body)).not.toContain("argon2");
    });

    it("signs out, revoking the session", async () => {
      const response = await call("POST", "/auth/sign-in", { body: JANE });
      const out = await call("POST", "/auth/sign-out", { token: response.body.accessToken, body: { refreshToken: response.body.refreshToken } });
      expect(out).toMatchObject({ status: 200, body: { revoked: true } });
      expect((await call("GET", "/me", { token: response.body.accessToken })).status).toBe(401);
    });
  });
}
