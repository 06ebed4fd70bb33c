import type { HelloJohn } from "@hellojohn/node";
import { startTestServer, testDatabases, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appClient } from "./app-client.js";
import type { RunningApp } from "./journey.js";

const PASSWORD = "Org-Passw0rd!";

/**
 * Organization roles through an example app, on SQLite and on PostgreSQL: the
 * admin-only `GET /org/members` for an admin, a member, a non-member and no
 * session; a promotion and a removal taking effect at the next
 * `POST /auth/refresh`; and a password change signing out other sessions.
 */
export async function describeAuthorization(name: string, startApp: (client: HelloJohn) => Promise<RunningApp>): Promise<void> {
  describe.each(await testDatabases())(`${name}: organization roles on $name`, (database) => {
    let hj: TestServer;
    let databaseUrl: string;
    let app: RunningApp;
    let orgId: string;
    const call = appClient(() => app);
    let counter = 0;

    /** A user, a member of the organization with `role` unless `role` is null. */
    const person = async (role: string | null) => {
      const email = `${role ?? "outsider"}-${counter++}@example.com`;
      const user = await hj.client.users.create({ email, password: PASSWORD });
      if (role !== null) await hj.client.organizations.addMember(orgId, { userId: user.id, role });
      return { id: user.id, email };
    };
    const signIn = async (who: { email: string }, options: { organizationId?: string; password?: string } = {}) => {
      const body = { email: who.email, password: options.password ?? PASSWORD, organizationId: options.organizationId };
      const response = await call("POST", "/auth/sign-in", { body });
      expect(response.status).toBe(200);
      return { accessToken: response.body.accessToken as string, refreshToken: response.body.refreshToken as string };
    };
    const refresh = async (refreshToken: string) => {
      const response = await call("POST", "/auth/refresh", { body: { refreshToken } });
      expect(response.status).toBe(200);
      return { accessToken: response.body.accessToken as string, refreshToken: response.body.refreshToken as string };
    };

    beforeAll(async () => {
      databaseUrl = await database.create();
      hj = await startTestServer({ databaseUrl });
      orgId = (await hj.client.organizations.create({ name: "Acme" })).id;
      app = await startApp(hj.client);
    });
    afterAll(async () => {
      await app?.close();
      await hj?.close();
      await database.drop(databaseUrl);
    });

    it("serves the admin-only route to an admin, 403 insufficient_role to a member or a session without the organization, 401 without a session", async () => {
      const admin = await person("admin");
      const member = await person("member");
      const { accessToken } = await signIn(admin, { organizationId: orgId });
      const members = await call("GET", "/org/members", { token: accessToken });
      expect(members.status).toBe(200);
      expect(members.body.memberships.map((m: { userId: string; role: string }) => [m.userId, m.role])).toEqual(
        expect.arrayContaining([
          [admin.id, "admin"],
          [member.id, "member"],
        ]),
      );
      const forbidden = { status: 403, body: { error: { type: "permission_error", code: "insufficient_role" } } };
      expect(await call("GET", "/org/members", { token: (await signIn(member, { organizationId: orgId })).accessToken })).toMatchObject(forbidden);
      expect(await call("GET", "/org/members", { token: (await signIn(admin)).accessToken })).toMatchObject(forbidden);
      expect(await call("GET", "/org/members")).toMatchObject({ status: 401, body: { error: { code: "unauthenticated" } } });
    });

    it("refuses a non-member's sign-in into the organization, and their session elsewhere gets 403", async () => {
      const outsider = await person(null);
      expect(await call("POST", "/auth/sign-in", { body: { email: outsider.email, password: PASSWORD, organizationId: orgId } })).toMatchObject({
        status: 403,
        body: { error: { code: "not_a_member" } },
      });
      expect(await call("GET", "/org/members", { token: (await signIn(outsider)).accessToken })).toMatchObject({ status: 403 });
    });

    it("lets a promotion take effect at the next refresh", async () => {
      const member = await person("member");
      const session = await signIn(member, { organizationId: orgId });
      expect((await call("GET", "/org/members", { token: session.accessToken })).status).toBe(403);
      await hj.client.organizations.updateMember(orgId, member.id, { role: "admin" });
      expect((await call("GET", "/org/members", { token: session.accessToken })).status).toBe(403); // the token still says member
      const refreshed = await refresh(session.refreshToken);
      expect((await call("GET", "/org/members", { token: refreshed.accessToken })).status).toBe(200);
    });

    it("takes the route away from a removed member at the next refresh", async () => {
      const admin = await person("admin");
      const session = await signIn(admin, { organizationId: orgId });
      expect((await call("GET", "/org/members", { token: session.accessToken })).status).toBe(200);
      await hj.client.organizations.removeMember(orgId, admin.id);
      const refreshed = await refresh(session.refreshToken);
      expect(await call("GET", "/org/members", { token: refreshed.accessToken })).toMatchObject({ status: 403, body: { error: { code: "insufficient_role" } } });
    });

    it("changes a password from one session, signing out the others at once", async () => {
      const user = await person("member");
      const here = await signIn(user);
      const elsewhere = await signIn(user);
      expect(await call("POST", "/me/password", { token: here.accessToken, body: { password: "Brand-N3w-Passw0rd!" } })).toMatchObject({
        status: 200,
        body: { revokedSessions: 1 },
      });
      expect((await call("GET", "/me", { token: here.accessToken })).status).toBe(200);
      expect(await call("GET", "/me", { token: elsewhere.accessToken })).toMatchObject({ status: 401, body: { error: { code: "token_revoked" } } });
      expect((await call("POST", "/auth/refresh", { body: { refreshToken: elsewhere.refreshToken } })).status).toBe(401);
      expect((await call("POST", "/auth/sign-in", { body: { email: user.email, password: PASSWORD } })).status).toBe(401);
      await signIn(user, { password: "Brand-N3w-Passw0rd!" });
      expect((await call("POST", "/me/password", { token: here.accessToken, body: { password: "short" } })).body.error.param).toBe("password");
      const events = (await hj.client.users.export(user.id)).auditEvents.map((e) => e.type);
      expect(events).toEqual(expect.arrayContaining(["user.password_set", "user.sessions_listed", "session.revoked"]));
    });

    it("signs out every session when an admin sets the password through HelloJohn", async () => {
      const user = await person("member");
      const one = await signIn(user);
      const two = await signIn(user);
      await hj.client.users.update(user.id, { password: "Admin-Set-Passw0rd!" });
      for (const session of [one, two]) expect((await call("GET", "/me", { token: session.accessToken })).status).toBe(401);
      const passwordSet = (await hj.client.users.export(user.id)).auditEvents.find((e) => e.type === "user.password_set");
      expect(passwordSet?.data).toEqual({ revoked_sessions: 2 });
    });
  });
}
