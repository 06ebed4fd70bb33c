import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelloJohn, type User } from "../src/index.js";
import { email, PASSWORD, realServer, testDatabases, type RealServer } from "./real-server.js";

describe.each(await testDatabases())("hj.users against a real server on $name", (database) => {
  let h: RealServer;
  beforeAll(async () => {
    h = await realServer(database);
  });
  afterAll(async () => {
    await h.close();
  });

  describe("create and get", () => {
    it("creates a user, trims the email and reads it back by ID and case-insensitive email", async () => {
      const address = email("jane");
      const user = await h.hj.users.create({
        email: `  ${address.toUpperCase()}  `,
        password: PASSWORD,
        firstName: "Jane",
        lastName: "Doe",
        phoneNumber: "+14155550123",
        avatarUrl: "https://cdn.example.com/jane.png",
        emailVerified: true,
        metadata: { plan: "pro", source: "import" },
      });
      expect(user).toMatchObject({
        email: address.toUpperCase(),
        emailVerified: true,
        firstName: "Jane",
        lastName: "Doe",
        phoneNumber: "+14155550123",
        avatarUrl: "https://cdn.example.com/jane.png",
        metadata: { plan: "pro", source: "import" },
        disabled: false,
        lastSignInAt: null,
      });
      expect(user.id).toMatch(/^usr_[0-9A-HJKMNP-TV-Z]{26}$/);
      expect(user.createdAt).toBeInstanceOf(Date);
      expect(await h.hj.users.get(user.id)).toEqual(user);
      expect(await h.hj.users.getByEmail(address)).toEqual(user);
    });

    it("refuses a duplicate email, whatever its case, with 409 email_taken and no retry", async () => {
      const address = email("dup");
      await h.hj.users.create({ email: address });
      await expect(h.hj.users.create({ email: address.toUpperCase() })).rejects.toMatchObject({
        name: "ConflictError",
        status: 409,
        code: "email_taken",
        param: "email",
      });
    });

    it("keeps a username unique per tenant whatever its case, shown as written, searchable, changeable and removable", async () => {
      const tag = Math.random().toString(36).slice(2, 8);
      const ada = await h.hj.users.create({ email: email("ada"), username: `Ada.L-${tag}` });
      expect(ada.username).toBe(`Ada.L-${tag}`);
      expect(await h.hj.users.get(ada.id)).toMatchObject({ username: `Ada.L-${tag}` });
      expect((await h.hj.users.create({ email: email("plain") })).username).toBeNull();
      await expect(h.hj.users.create({ email: email("copycat"), username: `ada.l-${tag.toUpperCase()}` })).rejects.toMatchObject({
        name: "ConflictError",
        status: 409,
        code: "username_taken",
        param: "username",
      });
      // Search finds it by any case-insensitive substring, like the email and the name.
      const found = await h.hj.users.list({ search: `L-${tag.toUpperCase()}` });
      expect(found.users.map((u) => u.id)).toEqual([ada.id]);
      // Renamed: the old name is free and no longer found; the new one is taken.
      const grace = await h.hj.users.create({ email: email("grace"), username: `grace_${tag}` });
      await expect(h.hj.users.update(grace.id, { username: `ADA.L-${tag}` })).rejects.toMatchObject({ status: 409, code: "username_taken", param: "username" });
      expect((await h.hj.users.update(ada.id, { username: `countess_${tag}` })).username).toBe(`countess_${tag}`);
      expect((await h.hj.users.list({ search: `ada.l-${tag}` })).total).toBe(0);
      expect((await h.hj.users.update(grace.id, { username: `Ada.L-${tag}` })).username).toBe(`Ada.L-${tag}`);
      // Removed with null; any number of users may have none.
      expect((await h.hj.users.update(grace.id, { username: null })).username).toBeNull();
      expect((await h.hj.users.list({ search: `countess_${tag}` })).users.map((u) => u.id)).toEqual([ada.id]);
      // Import: a taken username refuses its row (and names the field); a free one is kept.
      const imported = await h.hj.users.import({
        users: [
          { email: email("imp1"), username: `COUNTESS_${tag}` },
          { email: email("imp2"), username: `imported_${tag}` },
        ],
      });
      expect(imported.results.map((r) => [r.status, r.error?.code ?? null, r.error?.param ?? null])).toEqual([
        ["refused", "username_taken", "username"],
        ["created", null, null],
      ]);
      expect((await h.hj.users.get(imported.results[1]?.id ?? "")).username).toBe(`imported_${tag}`);
    });

    it("refuses an import row whose field is over its limit in that row's result, and imports the rest of the batch", async () => {
      const result = await h.hj.users.import({
        users: [
          { email: email("long-name"), firstName: "x".repeat(201) },
          { email: `${"a".repeat(250)}@x.io` },
          { email: email("long-password"), password: "p".repeat(129) },
          { email: email("bad-phone"), phoneNumber: "+1".padEnd(17, "5") },
          { email: email("bad-username"), username: "no spaces allowed" },
          { email: email("fine"), firstName: "x".repeat(200), username: `fine_${Date.now().toString(36)}` },
        ],
      });
      expect(result.results.map((r) => [r.status, r.error?.param ?? null, r.error?.code ?? null])).toEqual([
        ["refused", "first_name", "invalid_name"],
        ["refused", "email", "invalid_email"],
        ["refused", "password", "invalid_password"],
        ["refused", "phone_number", "invalid_phone_number"],
        ["refused", "username", "invalid_username"],
        ["created", null, null],
      ]);
      expect({ created: result.created, refused: result.refused }).toEqual({ created: 1, refused: 5 });
    });

    it.each([
      ["too short", "ab"],
      ["too long", "a".repeat(65)],
      ["a space", "ada lovelace"],
      ["a leading dot", ".ada"],
      ["an @", "ada@home"],
    ])("refuses a username that is %s with 400 invalid_username", async (_label, username) => {
      await expect(h.hj.users.create({ email: email("badname"), username })).rejects.toMatchObject({ status: 400, code: "invalid_username", param: "username" });
    });

    it("answers 400 invalid_id for a malformed ID and 404 user_not_found for an unknown one", async () => {
      await expect(h.hj.users.get("usr_123")).rejects.toMatchObject({ status: 400, code: "invalid_id", param: "userId" });
      await expect(h.hj.users.get("org_01J9Z3K4M5N6P7Q8R9S0T1V2W3")).rejects.toMatchObject({ status: 400, code: "invalid_id" });
      await expect(h.hj.users.get("usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3")).rejects.toMatchObject({ status: 404, code: "user_not_found" });
      await expect(h.hj.users.getByEmail("nobody@example.com")).rejects.toMatchObject({ status: 404, code: "user_not_found" });
    });

    it.each([
      ["a malformed email", { email: "not-an-email" }, "email", "invalid_email"],
      ["a non-E.164 phone number", { email: "a@b.co", phoneNumber: "555-0123" }, "phoneNumber", "invalid_phone_number"],
      ["a non-http avatar URL", { email: "a@b.co", avatarUrl: "javascript:alert(1)" }, "avatarUrl", "invalid_avatar_url"],
      ["a short password", { email: "a@b.co", password: "short" }, "password", "invalid_password"],
      ["a 129-character password", { email: "a@b.co", password: "x".repeat(129) }, "password", "invalid_password"],
      ["metadata over 16 KiB", { email: "a@b.co", metadata: { blob: "x".repeat(17_000) } }, "metadata", "metadata_too_large"],
      ["array metadata", { email: "a@b.co", metadata: [1, 2] as never }, "metadata", "invalid_type"],
      ["a numeric first name", { email: "a@b.co", firstName: 42 as never }, "firstName", "invalid_type"],
      ["a string emailVerified", { email: "a@b.co", emailVerified: "yes" as never }, "emailVerified", "invalid_type"],
    ])("refuses %s, naming the field", async (_label, params, param, code) => {
      await expect(h.hj.users.create(params)).rejects.toMatchObject({ name: "ValidationError", status: 400, param, code });
    });
  });

  describe("update and metadata", () => {
    it("changes only the given fields and merges metadata as RFC 7396", async () => {
      const user = await h.hj.users.create({
        email: email("meta"),
        firstName: "Jane",
        lastName: "Doe",
        metadata: { plan: "pro", flags: { a: true, b: true }, tags: ["x", "y"], keep: 1 },
      });
      const updated = await h.hj.users.update(user.id, {
        lastName: "Smith",
        metadata: { plan: "enterprise", flags: { b: null, c: true }, tags: ["z"], trialEndsAt: "2024-12-31" },
      });
      expect(updated).toMatchObject({ firstName: "Jane", lastName: "Smith" });
      expect(updated.metadata).toEqual({ plan: "enterprise", flags: { a: true, c: true }, tags: ["z"], keep: 1, trialEndsAt: "2024-12-31" });
      expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(user.updatedAt.getTime());
      const cleared = await h.hj.users.update(user.id, { metadata: { plan: null, flags: null }, phoneNumber: null });
      expect(cleared.metadata).toEqual({ tags: ["z"], keep: 1, trialEndsAt: "2024-12-31" });
      expect(await h.hj.users.get(user.id)).toEqual(cleared);
    });

    it("keeps every key when 200 concurrent updates each set a different one", async () => {
      const user = await h.hj.users.create({ email: email("concurrent"), metadata: { base: true } });
      await Promise.all(Array.from({ length: 200 }, (_, i) => h.hj.users.update(user.id, { metadata: { [`k${i}`]: i } })));
      const { metadata } = await h.hj.users.get(user.id);
      expect(Object.keys(metadata)).toHaveLength(201);
      for (let i = 0; i < 200; i++) expect(metadata[`k${i}`]).toBe(i);
    });

    it("refuses an update that would grow metadata past 16 KiB, and keeps what was there", async () => {
      const user = await h.hj.users.create({ email: email("cap"), metadata: { a: "x".repeat(10_000) } });
      await expect(h.hj.users.update(user.id, { metadata: { b: "y".repeat(10_000) } })).rejects.toMatchObject({
        status: 400,
        code: "metadata_too_large",
        param: "metadata",
      });
      expect((await h.hj.users.get(user.id)).metadata).toEqual({ a: "x".repeat(10_000) });
    });

    it("moves an email only to a free address", async () => {
      const a = await h.hj.users.create({ email: email("a") });
      const b = await h.hj.users.create({ email: email("b") });
      await expect(h.hj.users.update(b.id, { email: a.email.toUpperCase() })).rejects.toMatchObject({ status: 409, code: "email_taken" });
      const moved = await h.hj.users.update(b.id, { email: email("b2") });
      expect(await h.hj.users.getByEmail(moved.email)).toMatchObject({ id: b.id });
    });
  });

  describe("list", () => {
    let tag: string;
    let created: User[];
    beforeAll(async () => {
      tag = `lst${Date.now().toString(36)}`;
      created = [];
      for (let i = 0; i < 120; i++) {
        created.push(await h.hj.users.create({ email: `${tag}.${i}@list.example.com`, firstName: `First${i}`, lastName: "Lister" }));
      }
      await h.hj.users.disable((created[7] as User).id);
    });

    it("pages newest first with an exact total, and iterates every match across pages", async () => {
      const first = await h.hj.users.list({ search: tag, limit: 50 });
      expect(first.total).toBe(120);
      expect(first.users).toHaveLength(50);
      expect(first.users[0]?.id).toBe(created[119]?.id);
      const second = await h.hj.users.list({ search: tag, limit: 50, cursor: first.nextCursor ?? undefined });
      expect(second.users[0]?.id).toBe(created[69]?.id);
      const all: string[] = [];
      for await (const user of h.hj.users.list({ search: tag, limit: 50 })) all.push(user.id);
      expect(all).toEqual(created.map((u) => u.id).reverse());
    });

    it("defaults to 50 per page and refuses a limit outside 1–100 instead of clamping", async () => {
      expect((await h.hj.users.list({ search: tag })).users).toHaveLength(50);
      await expect(h.hj.users.list({ limit: 101 })).rejects.toMatchObject({ status: 400, param: "limit" });
      await expect(h.hj.users.list({ limit: 0 })).rejects.toMatchObject({ status: 400, param: "limit" });
    });

    it("filters by status", async () => {
      const disabled = await h.hj.users.list({ search: tag, status: "disabled" });
      expect(disabled.users.map((u) => u.id)).toEqual([created[7]?.id]);
      expect(disabled.total).toBe(1);
      expect((await h.hj.users.list({ search: tag, status: "active" })).total).toBe(119);
    });

    it("searches email, first, last and full name case-insensitively, and IDs exactly", async () => {
      expect((await h.hj.users.list({ search: `${tag}.42@LIST` })).users.map((u) => u.id)).toEqual([created[42]?.id]);
      expect((await h.hj.users.list({ search: "first42" })).users.map((u) => u.id)).toEqual([created[42]?.id]);
      expect((await h.hj.users.list({ search: "First42 LISTER" })).users.map((u) => u.id)).toEqual([created[42]?.id]);
      expect((await h.hj.users.list({ search: created[3]?.id })).users.map((u) => u.id)).toEqual([created[3]?.id]);
      expect((await h.hj.users.list({ search: created[3]?.id.slice(0, 20) })).total).toBe(0);
    });

    it("treats %, _ and \\ in search as literal characters", async () => {
      const stamp = Date.now().toString(36);
      const pct = await h.hj.users.create({ email: `p%c${stamp}@lit.example.com` });
      const und = await h.hj.users.create({ email: `p_c${stamp}@lit.example.com` });
      const bsl = await h.hj.users.create({ email: `p\\c${stamp}@lit.example.com` });
      await h.hj.users.create({ email: `pxc${stamp}@lit.example.com` });
      expect((await h.hj.users.list({ search: `p%c${stamp}` })).users.map((u) => u.id)).toEqual([pct.id]);
      expect((await h.hj.users.list({ search: `p_c${stamp}` })).users.map((u) => u.id)).toEqual([und.id]);
      expect((await h.hj.users.list({ search: `p\\c${stamp}` })).users.map((u) => u.id)).toEqual([bsl.id]);
    });

    it("refuses a tampered cursor and a cursor reused with other filters", async () => {
      const { nextCursor } = await h.hj.users.list({ search: tag, limit: 10 });
      expect(nextCursor).toEqual(expect.any(String));
      const cursor = nextCursor as string;
      const tampered = `${cursor.slice(0, 5)}${cursor[5] === "A" ? "B" : "A"}${cursor.slice(6)}`;
      await expect(h.hj.users.list({ search: tag, cursor: tampered })).rejects.toMatchObject({ status: 400, code: "invalid_cursor", param: "cursor" });
      await expect(h.hj.users.list({ search: `${tag}x`, cursor })).rejects.toMatchObject({ status: 400, code: "invalid_cursor" });
      await expect(h.hj.users.list({ search: tag, cursor: "garbage" })).rejects.toMatchObject({ status: 400, code: "invalid_cursor" });
    });

    it("keeps members of an organization with orgId", async () => {
      const org = await h.hj.organizations.create({ name: "Acme", metadata: { tier: "gold" } });
      await h.hj.organizations.addMember(org.id, { userId: created[1]?.id as string, role: "admin" });
      await h.hj.organizations.addMember(org.id, { userId: created[2]?.id as string });
      await expect(h.hj.organizations.addMember(org.id, { userId: created[2]?.id as string })).rejects.toMatchObject({ status: 409, code: "already_member" });
      const members = await h.hj.users.list({ orgId: org.id });
      expect(members.users.map((u) => u.id)).toEqual([created[2]?.id, created[1]?.id]);
      expect(members.total).toBe(2);
      expect((await h.hj.organizations.listMembers(org.id)).memberships.map((m) => m.role).sort()).toEqual(["admin", "member"]);
      await h.hj.organizations.removeMember(org.id, created[2]?.id as string);
      expect((await h.hj.users.list({ orgId: org.id })).total).toBe(1);
      expect(await h.hj.organizations.update(org.id, { name: "Acme Inc", metadata: { tier: null, size: 5 } })).toMatchObject({ name: "Acme Inc", metadata: { size: 5 } });
      expect((await h.hj.organizations.list().toArray()).map((o) => o.id)).toContain(org.id);
      await expect(h.hj.users.list({ orgId: "nope" })).rejects.toMatchObject({ status: 400, param: "orgId" });
      await h.hj.organizations.delete(org.id);
      await expect(h.hj.organizations.get(org.id)).rejects.toMatchObject({ status: 404, code: "organization_not_found" });
    });
  });

  describe("impersonation", () => {
    it("issues a verifiable token with actor and reason, backed by a real session that disable revokes", async () => {
      const user = await h.hj.users.create({ email: email("imp") });
      const before = Date.now();
      const result = await h.hj.users.impersonate(user.id, { reason: "Support ticket #4521", expiresIn: "1h" });
      expect(result.sessionId).toMatch(/^ses_/);
      expect(result.expiresAt.getTime()).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000 + 3600_000);
      expect(result.expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + 3600_000);
      const verified = await h.hj.verifyToken(result.accessToken, { checkRevoked: true });
      expect(verified).toMatchObject({
        userId: user.id,
        sessionId: result.sessionId,
        impersonator: { actorId: h.t.keyId, reason: "Support ticket #4521" },
      });
      expect(verified.claims.act).toEqual({ sub: h.t.keyId });

      const exported = await h.hj.users.export(user.id);
      expect(exported.sessions.map((s) => s.id)).toContain(result.sessionId);
      expect(exported.auditEvents.find((e) => e.type === "user.impersonated")?.data).toMatchObject({ reason: "Support ticket #4521" });

      await h.hj.users.disable(user.id);
      await expect(h.hj.verifyToken(result.accessToken, { checkRevoked: true })).rejects.toMatchObject({ code: "revoked" });
      await expect(h.hj.users.impersonate(user.id, { reason: "again" })).rejects.toMatchObject({ status: 403, code: "user_disabled" });
    });

    it("defaults to 15 minutes and refuses missing reasons and lifetimes over an hour", async () => {
      const user = await h.hj.users.create({ email: email("imp2") });
      const result = await h.hj.users.impersonate(user.id, { reason: "check" });
      const minutes = (result.expiresAt.getTime() - Date.now()) / 60_000;
      expect(minutes).toBeGreaterThan(14);
      expect(minutes).toBeLessThanOrEqual(15);
      await expect(h.hj.users.impersonate(user.id, { reason: "   " })).rejects.toMatchObject({ status: 400, param: "reason" });
      await expect(h.hj.users.impersonate(user.id, { reason: "x".repeat(501) })).rejects.toMatchObject({ status: 400, param: "reason" });
      await expect(h.hj.users.impersonate(user.id, { reason: "r", expiresIn: "2h" })).rejects.toMatchObject({ status: 400, param: "expiresIn" });
      await expect(h.hj.users.impersonate(user.id, { reason: "r", expiresIn: 0 })).rejects.toMatchObject({ status: 400, param: "expiresIn" });
    });
  });

  describe("export", () => {
    it("reads the export into Dates and camelCase: the profile, sessions, memberships and audit events", async () => {
      const address = email("exp");
      const user = await h.hj.users.create({ email: address, password: PASSWORD, metadata: { a: 1 } });
      const { sessionId } = await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD });
      const org = await h.hj.organizations.create({ name: "Exporters" });
      await h.hj.organizations.addMember(org.id, { userId: user.id });

      const data = await h.hj.users.export(user.id);
      expect(data.exportedAt).toBeInstanceOf(Date);
      expect(data.user).toEqual(await h.hj.users.get(user.id));
      expect(data.sessions).toMatchObject([{ id: sessionId, status: "active", revokedAt: null, impersonator: null, organizationId: null }]);
      expect(data.sessions[0]?.createdAt).toBeInstanceOf(Date);
      expect(data.memberships).toMatchObject([{ orgId: org.id, orgName: "Exporters", role: "member" }]);
      expect(data.memberships[0]?.createdAt).toBeInstanceOf(Date);
      expect(data).toMatchObject({ mfaFactors: [], oauthConnections: [] });
      expect(data.auditEvents.map((e) => e.type)).toEqual(expect.arrayContaining(["user.created", "user.signed_in", "user.exported"]));
      expect(data.auditEvents[0]).toMatchObject({ actor: { type: expect.any(String) }, createdAt: expect.any(Date) });
      expect(data.auditEvents[0]).not.toHaveProperty("created_at");
    });
  });

  describe("retries and idempotency", () => {
    it("a create whose response is lost is retried and yields exactly one user", async () => {
      const proxy = await lossyProxy(h.t.url);
      try {
        const hj = new HelloJohn({ tenantId: h.t.tenantId, secretKey: h.t.secretKey, baseUrl: proxy.url, maxRetries: 2 });
        const address = email("lost");
        const user = await hj.users.create({ email: address });
        expect(proxy.dropped).toBe(1);
        expect(proxy.replayed).toBe(1);
        const { users, total } = await h.hj.users.list({ search: address });
        expect(total).toBe(1);
        expect(users[0]?.id).toBe(user.id);
      } finally {
        await proxy.close();
      }
    });

    it("replays a repeated key and refuses the same key with another body", async () => {
      const key = `idem-${Date.now()}`;
      const address = email("idem");
      const first = await h.hj.users.create({ email: address }, { idempotencyKey: key });
      const again = await h.hj.users.create({ email: address }, { idempotencyKey: key });
      expect(again).toEqual(first);
      await expect(h.hj.users.create({ email: email("other") }, { idempotencyKey: key })).rejects.toMatchObject({
        status: 422,
        code: "idempotency_key_reused",
      });
    });
  });

  describe("fields the API does not know", () => {
    // No status: the SDK refused them itself, before any request.
    it("refuses an unknown field on create, update and import before sending anything, naming it", async () => {
      const user = await h.hj.users.create({ email: email("strict") });
      const refusal = (param: string) => ({ name: "ValidationError", code: "unknown_param", param, status: undefined });
      await expect(h.hj.users.create({ email: email("strict"), role: "admin" } as never)).rejects.toMatchObject(refusal("role"));
      await expect(h.hj.users.update(user.id, { first_name: "Jane" } as never)).rejects.toMatchObject(refusal("first_name"));
      await expect(h.hj.users.import({ users: [{ email: email("strict"), plan: "pro" } as never] })).rejects.toMatchObject(refusal("users.0.plan"));
      expect((await h.hj.users.get(user.id)).firstName).toBeNull();
    });
  });
});

/** A loopback proxy that forwards to the server but drops the first create's response on the floor. */
async function lossyProxy(target: string): Promise<{ url: string; dropped: number; replayed: number; close(): Promise<void> }> {
  const state = { url: "", dropped: 0, replayed: 0, close: async (): Promise<void> => {} };
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k))) as Record<string, string>;
      const upstream = await fetch(`${target}${req.url}`, { method: req.method ?? "GET", headers, body: chunks.length > 0 ? Buffer.concat(chunks) : null });
      const body = Buffer.from(await upstream.arrayBuffer());
      if (req.method === "POST" && req.url === "/v1/users" && state.dropped === 0) {
        state.dropped++;
        req.socket.destroy();
        return;
      }
      if (upstream.headers.get("idempotent-replayed") === "true") state.replayed++;
      res.writeHead(upstream.status, { "content-type": "application/json", "x-request-id": upstream.headers.get("x-request-id") ?? "" });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return state;
}
