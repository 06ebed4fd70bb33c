import type { HelloJohn } from "@hellojohn/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./backends.js";
import { email, harness, type Harness } from "./helpers.js";

const PASSWORD = "TemporaryPass123!";

describe.each(await backends())("organization roles and admin session operations on $name", (backend) => {
  let h: Harness;
  let hj: HelloJohn;
  let orgId: string;
  beforeAll(async () => {
    h = await harness(backend);
    hj = h.hj;
    orgId = (await hj.organizations.create({ name: "Acme" })).id;
  });
  afterAll(async () => {
    expect(h.checker.violations).toEqual([]);
    await h.close();
  });

  const newUser = async (tag: string) => {
    const address = email(tag);
    const user = await hj.users.create({ email: address, password: PASSWORD });
    return { id: user.id, email: address };
  };
  const auditTypes = async (userId: string) => (await hj.users.export(userId)).auditEvents.map((e) => e.type);

  it("puts org_id and org_role in tokens of a session opened in an organization, and has() reads them", async () => {
    const ada = await newUser("ada");
    await hj.organizations.addMember(orgId, { userId: ada.id, role: "admin" });
    const { accessToken } = await hj.sessions.signInWithPassword({ email: ada.email, password: PASSWORD, organizationId: orgId });
    const session = await hj.verifyToken(accessToken);
    expect(session).toMatchObject({ userId: ada.id, orgId, orgRole: "admin" });
    expect(session.claims).toMatchObject({ org_id: orgId, org_role: "admin" });
    expect(session.has({ role: "admin" })).toBe(true);
    expect(session.has({ role: ["owner", "admin"] })).toBe(true);
    expect(session.has({ role: "member" })).toBe(false);
    expect(() => session.has({ role: "" })).toThrow(TypeError);

    const plain = await hj.verifyToken((await hj.sessions.signInWithPassword({ email: ada.email, password: PASSWORD })).accessToken);
    expect(plain).toMatchObject({ orgId: null, orgRole: null });
    expect(plain.claims).not.toHaveProperty("org_id");
    expect(plain.has({ role: "admin" })).toBe(false);
  });

  it("refuses to open a session in an organization the user is not a member of, naming the field", async () => {
    const bob = await newUser("bob");
    await expect(hj.sessions.signInWithPassword({ email: bob.email, password: PASSWORD, organizationId: orgId })).rejects.toMatchObject({
      name: "PermissionError",
      status: 403,
      code: "not_a_member",
      param: "organizationId",
    });
    await expect(hj.sessions.signInWithPassword({ email: bob.email, password: PASSWORD, organizationId: "org_nope" })).rejects.toMatchObject({
      status: 400,
      code: "invalid_id",
      param: "organizationId",
    });
  });

  it("updates a member's role (audited); tokens carry the new role from the next refresh", async () => {
    const cy = await newUser("cy");
    await hj.organizations.addMember(orgId, { userId: cy.id });
    const signedIn = await hj.sessions.signInWithPassword({ email: cy.email, password: PASSWORD, organizationId: orgId });
    expect(await hj.verifyToken(signedIn.accessToken)).toMatchObject({ orgRole: "member" });

    const updated = await hj.organizations.updateMember(orgId, cy.id, { role: "admin" });
    expect(updated).toMatchObject({ orgId, userId: cy.id, role: "admin" });
    expect((await hj.organizations.listMembers(orgId)).memberships.find((m) => m.userId === cy.id)?.role).toBe("admin");
    expect((await hj.verifyToken(signedIn.accessToken)).orgRole).toBe("member"); // until it is refreshed

    const refreshed = await hj.sessions.refresh(signedIn.refreshToken);
    expect(await hj.verifyToken(refreshed.accessToken)).toMatchObject({ orgId, orgRole: "admin" });
    const events = (await hj.users.export(cy.id)).auditEvents.filter((e) => e.type === "organization.member_updated");
    expect(events.map((e) => e.data)).toEqual([{ org_id: orgId, role: "admin", previous_role: "member" }]);

    await expect(hj.organizations.updateMember(orgId, cy.id, { role: "Not A Role" })).rejects.toMatchObject({ status: 400, param: "role" });
    const stranger = await newUser("stranger");
    await expect(hj.organizations.updateMember(orgId, stranger.id, { role: "admin" })).rejects.toMatchObject({ status: 404, code: "membership_not_found" });
  });

  it("drops the organization from the next token of a removed member, and switches organization on refresh", async () => {
    const dee = await newUser("dee");
    const other = (await hj.organizations.create({ name: "Other" })).id;
    await hj.organizations.addMember(orgId, { userId: dee.id, role: "admin" });
    const signedIn = await hj.sessions.signInWithPassword({ email: dee.email, password: PASSWORD, organizationId: orgId });

    // A refused switch does not spend the refresh token.
    await expect(hj.sessions.refresh({ refreshToken: signedIn.refreshToken, organizationId: other })).rejects.toMatchObject({ status: 403, code: "not_a_member" });
    await hj.organizations.removeMember(orgId, dee.id);
    const afterRemoval = await hj.sessions.refresh(signedIn.refreshToken);
    expect(await hj.verifyToken(afterRemoval.accessToken)).toMatchObject({ orgId: null, orgRole: null });

    await hj.organizations.addMember(other, { userId: dee.id, role: "billing" });
    const switched = await hj.sessions.refresh({ refreshToken: afterRemoval.refreshToken, organizationId: other });
    expect(await hj.verifyToken(switched.accessToken)).toMatchObject({ orgId: other, orgRole: "billing" });
    const again = await hj.sessions.refresh(switched.refreshToken); // the session remembers the switch
    expect(await hj.verifyToken(again.accessToken)).toMatchObject({ orgId: other, orgRole: "billing" });
  });

  it("gives impersonation tokens the same organization claims", async () => {
    const eve = await newUser("eve");
    await hj.organizations.addMember(orgId, { userId: eve.id, role: "admin" });
    const { accessToken, sessionId } = await hj.users.impersonate(eve.id, { reason: "Ticket #17", organizationId: orgId });
    const session = await hj.verifyToken(accessToken);
    expect(session).toMatchObject({ orgId, orgRole: "admin", impersonator: { actorId: h.t.keyId } });
    expect((await hj.users.export(eve.id)).sessions.find((s) => s.id === sessionId)).toMatchObject({ organizationId: orgId, impersonator: { reason: "Ticket #17" } });
    const outsider = await newUser("outsider");
    await expect(hj.users.impersonate(outsider.id, { reason: "Ticket #18", organizationId: orgId })).rejects.toMatchObject({ code: "not_a_member" });
  });

  it("sets a password: hashed, old password refused, every session revoked at once (audited)", async () => {
    const fay = await newUser("fay");
    const one = await hj.sessions.signInWithPassword({ email: fay.email, password: PASSWORD });
    const two = await hj.sessions.signInWithPassword({ email: fay.email, password: PASSWORD });

    const user = await hj.users.update(fay.id, { password: "N3w-Passw0rd!" });
    expect(user.id).toBe(fay.id);
    expect(JSON.stringify(user)).not.toContain("N3w-Passw0rd!");
    await expect(hj.sessions.signInWithPassword({ email: fay.email, password: PASSWORD })).rejects.toMatchObject({ code: "invalid_credentials" });
    await expect(hj.verifyToken(one.accessToken, { checkRevoked: true })).rejects.toMatchObject({ code: "revoked" });
    await expect(hj.verifyToken(two.accessToken, { checkRevoked: true })).rejects.toMatchObject({ code: "revoked" });
    expect((await hj.verifyToken(one.accessToken)).userId).toBe(fay.id); // without the check: until expiry, as documented
    await expect(hj.sessions.refresh(two.refreshToken)).rejects.toMatchObject({ status: 401 });
    const fresh = await hj.sessions.signInWithPassword({ email: fay.email, password: "N3w-Passw0rd!" });

    await hj.users.update(fay.id, { password: "Th1rd-Passw0rd!", revokeSessions: false });
    expect((await hj.verifyToken(fresh.accessToken, { checkRevoked: true })).userId).toBe(fay.id);

    const types = await auditTypes(fay.id);
    expect(types.filter((t) => t === "user.password_set")).toHaveLength(2);
    const stored = await h.t.server.database.db.selectFrom("users").select("password_hash").where("id", "=", fay.id).executeTakeFirstOrThrow();
    expect(stored.password_hash).toMatch(/^\$argon2id\$/);
    expect(JSON.stringify(await hj.users.export(fay.id))).not.toMatch(/argon2|Passw0rd/);
  });

  it("refuses a bad password or a lone revokeSessions with a 400 naming the field", async () => {
    const gus = await newUser("gus");
    await expect(hj.users.update(gus.id, { password: "short" })).rejects.toMatchObject({ status: 400, param: "password" });
    await expect(hj.users.update(gus.id, { revokeSessions: false })).rejects.toMatchObject({ status: 400, param: "revokeSessions" });
  });

  it("lists a user's sessions newest first as an iterable page, and revokes one (audited, in the export)", async () => {
    const hal = await newUser("hal");
    const signIns = [];
    for (let i = 0; i < 3; i++) signIns.push(await hj.sessions.signInWithPassword({ email: hal.email, password: PASSWORD }));
    const page = await hj.users.listSessions(hal.id, { limit: 2 });
    expect(page.total).toBe(3);
    expect(page.sessions.map((s) => s.id)).toEqual([signIns[2]?.sessionId, signIns[1]?.sessionId]);
    expect(page.sessions[0]).toMatchObject({ status: "active", revokedAt: null, organizationId: null, impersonator: null });
    expect(page.nextCursor).toEqual(expect.any(String));
    const all = [];
    for await (const session of hj.users.listSessions(hal.id, { limit: 2 })) all.push(session.id);
    expect(all).toEqual(signIns.map((s) => s.sessionId).reverse());

    const target = signIns[0] as (typeof signIns)[number];
    const revoked = await hj.users.revokeSession(hal.id, target.sessionId);
    expect(revoked).toMatchObject({ id: target.sessionId, status: "revoked", revokedAt: expect.any(Date) });
    expect(await hj.users.revokeSession(hal.id, target.sessionId)).toMatchObject({ status: "revoked", revokedAt: revoked.revokedAt });
    await expect(hj.verifyToken(target.accessToken, { checkRevoked: true })).rejects.toMatchObject({ code: "revoked" });
    await expect(hj.sessions.refresh(target.refreshToken)).rejects.toMatchObject({ status: 401 });
    expect((await hj.verifyToken((signIns[1] as (typeof signIns)[number]).accessToken, { checkRevoked: true })).userId).toBe(hal.id);

    const other = await newUser("other");
    await expect(hj.users.revokeSession(other.id, (signIns[1] as (typeof signIns)[number]).sessionId)).rejects.toMatchObject({ status: 404, code: "session_not_found" });
    await expect(
      hj.users.listSessions(hal.id, { cursor: page.nextCursor as string, limit: 1 }).then(() => hj.users.listSessions(other.id, { cursor: page.nextCursor as string })),
    ).rejects.toMatchObject({
      code: "invalid_cursor",
    });

    const exported = await hj.users.export(hal.id);
    expect(exported.sessions.find((s) => s.id === target.sessionId)).toMatchObject({ status: "revoked" });
    const events = exported.auditEvents.filter((e) => e.type === "session.revoked" || e.type === "user.sessions_listed");
    expect(events.filter((e) => e.type === "session.revoked").map((e) => e.data)).toEqual([{ session_id: target.sessionId }]);
    expect(events.some((e) => e.type === "user.sessions_listed" && e.actor.type === "api_key")).toBe(true);
  });

  it("served the new operations through the contract checker", () => {
    for (const op of ["updateMember", "listUserSessions", "revokeUserSession", "signIn", "refreshSession", "impersonateUser", "updateUser"]) {
      expect(h.checker.seen).toContain(op);
    }
  });
});
