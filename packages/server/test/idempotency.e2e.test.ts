import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./backends.js";
import { email, harness, type Harness } from "./helpers.js";

describe.each(await backends())("stored idempotent responses on $name", (backend) => {
  let h: Harness;
  let headers: Record<string, string>;
  beforeAll(async () => {
    h = await harness(backend);
    headers = { authorization: `Bearer ${h.t.secretKey}`, "hellojohn-tenant-id": h.t.tenantId, "content-type": "application/json" };
  });
  afterAll(async () => {
    await h.close();
  });

  const post = async (path: string, key: string, body: unknown) => {
    const response = await fetch(`${h.t.url}${path}`, { method: "POST", headers: { ...headers, "idempotency-key": key }, body: JSON.stringify(body) });
    return { status: response.status, replayed: response.headers.get("idempotent-replayed") === "true", body: (await response.json()) as Record<string, unknown> };
  };
  const storedRows = () => h.t.server.database.db.selectFrom("idempotency_keys").selectAll().where("tenant_id", "=", h.t.tenantId).execute();

  it("never holds an impersonation token or a profile in the clear, and replays them intact", async () => {
    const user = await h.hj.users.create({ email: email("sealed"), firstName: "Sealed" });
    const first = await post(`/v1/users/${user.id}/impersonate`, `imp-${user.id}`, { reason: "Support ticket #1" });
    const again = await post(`/v1/users/${user.id}/impersonate`, `imp-${user.id}`, { reason: "Support ticket #1" });
    expect(first.status).toBe(201);
    expect(again).toEqual({ ...first, replayed: true });
    const token = first.body.access_token as string;
    for (const row of await storedRows()) {
      expect(row.response_body ?? "").not.toContain(token);
      // No part of the JWT either (its header is the same for every token). Not "eyJ" alone:
      // three characters turn up by chance in random base64 ciphertext.
      for (const part of token.split(".")) expect(row.response_body ?? "").not.toContain(part);
      expect(row.response_body ?? "").not.toContain(user.email);
    }
  });

  it("forgets every stored response about a user when the user is deleted, found by its resource ID", async () => {
    const org = await h.hj.organizations.create({ name: "Purge" });
    const created = await post("/v1/users", `create-${Date.now()}`, { email: email("purge"), first_name: "Purge" });
    const userId = created.body.id as string;
    await post(`/v1/users/${userId}/impersonate`, `imp2-${userId}`, { reason: "Support" });
    await post(`/v1/organizations/${org.id}/members`, `member-${userId}`, { user_id: userId });
    const other = await post("/v1/users", `create-other-${Date.now()}`, { email: email("keep") });
    const about = async (id: string) => (await storedRows()).filter((row) => row.resource_id === id);
    expect(await about(userId)).toHaveLength(3);
    await h.hj.users.delete(userId);
    expect(await about(userId)).toEqual([]);
    // Another user's stored response stays, and still replays.
    expect(await about(other.body.id as string)).toHaveLength(1);
  });

  it("names the resource each stored response describes, exactly (a response that merely mentions an ID is not about it)", async () => {
    const user = await h.hj.users.create({ email: email("resource") });
    const org = await h.hj.organizations.create({ name: "Resource" });
    const patch = async (path: string, key: string, body: unknown) =>
      fetch(`${h.t.url}${path}`, { method: "PATCH", headers: { ...headers, "idempotency-key": key }, body: JSON.stringify(body) });
    const created = await post("/v1/organizations", `org-${Date.now()}`, { name: "Created" });
    expect((await patch(`/v1/organizations/${org.id}`, `org-patch-${org.id}`, { name: "Renamed" })).status).toBe(200);
    // The membership response holds both IDs: it is about the user, so it goes with them.
    await post(`/v1/organizations/${org.id}/members`, `member-${org.id}-${user.id}`, { user_id: user.id });
    const resourceOf = async (key: string) => (await storedRows()).find((row) => row.key === key)?.resource_id;
    expect(await resourceOf(`org-patch-${org.id}`)).toBe(org.id);
    expect(await resourceOf(`member-${org.id}-${user.id}`)).toBe(user.id);
    expect((await storedRows()).filter((row) => row.resource_id === created.body.id)).toHaveLength(1);
    await h.hj.users.delete(user.id);
    expect(await resourceOf(`member-${org.id}-${user.id}`)).toBeUndefined();
    // The organization's records, whose stored bodies never named the user, stay.
    expect(await resourceOf(`org-patch-${org.id}`)).toBe(org.id);
  });
});
