import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OrganizationsPage } from "../src/index.js";
import { email, realServer, testDatabases, type RealServer } from "./real-server.js";

describe.each(await testDatabases())("hj.organizations against a real server on $name", (database) => {
  let h: RealServer;
  beforeAll(async () => {
    h = await realServer(database);
  });
  afterAll(async () => {
    await h.close();
  });

  it("creates, reads, merges metadata into, lists and deletes an organization", async () => {
    const org = await h.hj.organizations.create({ name: "Acme", metadata: { tier: "gold", seats: 5 } });
    expect(org).toMatchObject({ name: "Acme", metadata: { tier: "gold", seats: 5 } });
    expect(org.id).toMatch(/^org_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(org.createdAt).toBeInstanceOf(Date);
    expect(await h.hj.organizations.get(org.id)).toEqual(org);

    const updated = await h.hj.organizations.update(org.id, { metadata: { tier: null, region: "eu" } });
    expect(updated).toMatchObject({ name: "Acme", metadata: { seats: 5, region: "eu" } });
    expect(updated.metadata).not.toHaveProperty("tier");

    await h.hj.organizations.delete(org.id).then((deleted) => expect(deleted).toEqual({ id: org.id, deleted: true }));
    await expect(h.hj.organizations.get(org.id)).rejects.toMatchObject({ name: "NotFoundError", status: 404, code: "organization_not_found" });
  });

  it("pages with { organizations, nextCursor, total } and iterates every organization across pages", async () => {
    const created: string[] = [];
    for (let i = 0; i < 5; i++) created.push((await h.hj.organizations.create({ name: `Pager ${i}` })).id);
    const first: OrganizationsPage = await h.hj.organizations.list({ limit: 2 });
    expect(Object.keys(first).sort()).toEqual(["nextCursor", "organizations", "total"]);
    expect(first.organizations).toHaveLength(2);
    expect(first.total).toBeGreaterThanOrEqual(5);
    const all = (await h.hj.organizations.list({ limit: 2 }).toArray()).map((o) => o.id);
    expect(all).toEqual(expect.arrayContaining(created));
    expect(new Set(all).size).toBe(all.length);
  });

  it("adds members with a role, changes a role, lists and removes members", async () => {
    const org = await h.hj.organizations.create({ name: "Members" });
    const ada = await h.hj.users.create({ email: email("ada") });
    const bob = await h.hj.users.create({ email: email("bob") });
    expect(await h.hj.organizations.addMember(org.id, { userId: ada.id, role: "admin" })).toMatchObject({ orgId: org.id, userId: ada.id, role: "admin" });
    expect((await h.hj.organizations.addMember(org.id, { userId: bob.id })).role).toBe("member");
    await expect(h.hj.organizations.addMember(org.id, { userId: bob.id })).rejects.toMatchObject({ name: "ConflictError", code: "already_member" });

    expect(await h.hj.organizations.updateMember(org.id, bob.id, { role: "billing" })).toMatchObject({ userId: bob.id, role: "billing" });
    const { memberships, total } = await h.hj.organizations.listMembers(org.id);
    expect(total).toBe(2);
    expect(memberships.map((m) => [m.userId, m.role]).sort()).toEqual(
      [
        [ada.id, "admin"],
        [bob.id, "billing"],
      ].sort(),
    );
    expect(memberships[0]?.createdAt).toBeInstanceOf(Date);

    expect(await h.hj.organizations.removeMember(org.id, bob.id)).toMatchObject({ deleted: true });
    await expect(h.hj.organizations.updateMember(org.id, bob.id, { role: "admin" })).rejects.toMatchObject({ status: 404, code: "membership_not_found" });
    expect((await h.hj.organizations.listMembers(org.id)).memberships.map((m) => m.userId)).toEqual([ada.id]);
  });

  // As users.update does: the SDK refuses it itself (no status), instead of dropping it silently.
  it("refuses an unknown field on create, update, addMember and updateMember, naming it", async () => {
    const org = await h.hj.organizations.create({ name: "Strict" });
    const user = await h.hj.users.create({ email: email("strict") });
    const refusal = (param: string) => ({ name: "ValidationError", code: "unknown_param", param, status: undefined });
    await expect(h.hj.organizations.create({ name: "X", plan: "pro" } as never)).rejects.toMatchObject(refusal("plan"));
    await expect(h.hj.organizations.update(org.id, { name: "Renamed", displayName: "R" } as never)).rejects.toMatchObject(refusal("displayName"));
    await expect(h.hj.organizations.addMember(org.id, { userId: user.id, user_id: user.id } as never)).rejects.toMatchObject(refusal("user_id"));
    await expect(h.hj.organizations.updateMember(org.id, user.id, { role: "admin", reason: "x" } as never)).rejects.toMatchObject(refusal("reason"));
    await expect(h.hj.organizations.update(org.id, null as never)).rejects.toMatchObject({ name: "ValidationError", code: "invalid_type", param: "params" });
    expect((await h.hj.organizations.get(org.id)).name).toBe("Strict");
  });

  it("names the field the server refuses, in the SDK's spelling", async () => {
    const org = await h.hj.organizations.create({ name: "Named" });
    await expect(h.hj.organizations.addMember(org.id, { userId: "usr_nope" })).rejects.toMatchObject({ status: 400, param: "userId" });
    await expect(h.hj.organizations.create({ name: "" })).rejects.toMatchObject({ status: 400, param: "name" });
  });
});
