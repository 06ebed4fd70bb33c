import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { HelloJohn, type User } from "@hellojohn/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { backends } from "./backends.js";
import { email, harness, type Harness } from "./helpers.js";

const PASSWORD = "TemporaryPass123!";

describe.each(await backends())("users API end to end on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(backend);
  });
  afterAll(async () => {
    expect(h.checker.violations).toEqual([]);
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

  describe("sign-in, disable and enable", () => {
    it("disable blocks the right password, kills the refresh token and fails checkRevoked; enable restores sign-in only", async () => {
      const address = email("dis");
      const user = await h.hj.users.create({ email: address, password: PASSWORD });
      const signedIn = await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD });
      expect(signedIn.user.id).toBe(user.id);
      expect((await h.hj.users.get(user.id)).lastSignInAt).toBeInstanceOf(Date);
      const session = await h.hj.verifyToken(signedIn.accessToken, { checkRevoked: true });
      expect(session).toMatchObject({ userId: user.id, sessionId: signedIn.sessionId, impersonator: null });

      const disabled = await h.hj.users.disable(user.id);
      expect(disabled.disabled).toBe(true);
      await expect(h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD })).rejects.toMatchObject({
        name: "PermissionError",
        status: 403,
        code: "user_disabled",
      });
      await expect(h.hj.sessions.refresh(signedIn.refreshToken)).rejects.toMatchObject({ status: 401 });
      await expect(h.hj.verifyToken(signedIn.accessToken, { checkRevoked: true })).rejects.toMatchObject({
        name: "TokenVerificationError",
        code: "revoked",
      });
      // Documented: without the revocation check the token lives until its short expiry.
      await expect(h.hj.verifyToken(signedIn.accessToken)).resolves.toMatchObject({ userId: user.id });

      await h.hj.users.enable(user.id);
      await expect(h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD })).resolves.toMatchObject({ user: { id: user.id } });
      await expect(h.hj.verifyToken(signedIn.accessToken, { checkRevoked: true })).rejects.toMatchObject({ code: "revoked" });
    });

    it("puts the audience and authorized party sign-in asks for in the token, and the client enforces them", async () => {
      const address = email("aud");
      await h.hj.users.create({ email: address, password: PASSWORD });
      const api = new HelloJohn({ tenantId: h.t.tenantId, secretKey: h.t.secretKey, baseUrl: h.t.url, audience: "https://api.example.com", authorizedParties: ["https://app.example.com"] });
      const signedIn = await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD, audience: "https://api.example.com", authorizedParty: "https://app.example.com" });
      await expect(api.verifyToken(signedIn.accessToken)).resolves.toMatchObject({ claims: { aud: "https://api.example.com", azp: "https://app.example.com" } });
      // A token for another app's origin, or without the audience, is refused.
      const elsewhere = await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD, audience: "https://api.example.com", authorizedParty: "https://evil.example" });
      await expect(api.verifyToken(elsewhere.accessToken)).rejects.toMatchObject({ code: "invalid_authorized_party" });
      const plain = await h.hj.sessions.refresh(signedIn.refreshToken);
      await expect(api.verifyToken(plain.accessToken)).rejects.toMatchObject({ code: "invalid_audience" });
      const kept = await h.hj.sessions.refresh({ refreshToken: plain.refreshToken, audience: "https://api.example.com", authorizedParty: "https://app.example.com" });
      await expect(api.verifyToken(kept.accessToken)).resolves.toMatchObject({ sessionId: signedIn.sessionId });
      await expect(h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD, authorizedParty: "" })).rejects.toMatchObject({ name: "ValidationError", param: "authorizedParty" });
    });

    it("publishes an OpenID discovery document, so a client that reaches the server by another name verifies its tokens", async () => {
      const response = await fetch(`${h.t.url}/v1/tenants/${h.t.tenantId}/.well-known/openid-configuration`);
      const document = (await response.json()) as { issuer: string; jwks_uri: string; id_token_signing_alg_values_supported: string[] };
      expect(document).toMatchObject({ issuer: `${h.t.url}/v1/tenants/${h.t.tenantId}`, id_token_signing_alg_values_supported: ["EdDSA"] });
      expect(((await (await fetch(document.jwks_uri)).json()) as { keys: unknown[] }).keys).not.toHaveLength(0);
      expect((await fetch(`${h.t.url}/v1/tenants/ten_01J9Z3K4M5N6P7Q8R9S0T1V2W9/.well-known/openid-configuration`)).status).toBe(404);

      // The server calls itself 127.0.0.1; this app was configured with HELLOJOHN_API_URL=http://localhost:….
      const address = email("iss");
      await h.hj.users.create({ email: address, password: PASSWORD });
      const { accessToken } = await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD });
      const viaLocalhost = new HelloJohn({ tenantId: h.t.tenantId, secretKey: h.t.secretKey, baseUrl: h.t.url.replace("127.0.0.1", "localhost") });
      await expect(viaLocalhost.verifyToken(accessToken)).resolves.toMatchObject({ claims: { iss: document.issuer } });
      await expect(h.hj.verifyToken(accessToken)).resolves.toBeDefined();
    });

    it("rejects a wrong password and an unknown email alike", async () => {
      const address = email("pw");
      await h.hj.users.create({ email: address, password: PASSWORD });
      const wrong = await h.hj.sessions.signInWithPassword({ email: address, password: "WrongPass123!" }).catch((e: unknown) => e);
      const unknown = await h.hj.sessions.signInWithPassword({ email: email("ghost"), password: PASSWORD }).catch((e: unknown) => e);
      expect(wrong).toMatchObject({ name: "AuthenticationError", status: 401, code: "invalid_credentials" });
      expect(unknown).toMatchObject({ name: "AuthenticationError", status: 401, code: "invalid_credentials", message: (wrong as Error).message });
    });

    it("rotates refresh tokens, revokes the session when one is reused, and signs out", async () => {
      const address = email("rot");
      await h.hj.users.create({ email: address, password: PASSWORD });
      const first = await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD });
      const second = await h.hj.sessions.refresh(first.refreshToken);
      expect(second.refreshToken).not.toBe(first.refreshToken);
      expect(second.sessionId).toBe(first.sessionId);
      await expect(h.hj.sessions.refresh(first.refreshToken)).rejects.toMatchObject({ status: 401, code: "refresh_token_reused" });
      await expect(h.hj.sessions.refresh(second.refreshToken)).rejects.toMatchObject({ status: 401 });
      await expect(h.hj.verifyToken(second.accessToken, { checkRevoked: true })).rejects.toMatchObject({ code: "revoked" });

      const other = await h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD });
      expect(await h.hj.sessions.get(other.sessionId)).toMatchObject({ id: other.sessionId, status: "active", revokedAt: null });
      expect(await h.hj.sessions.signOut(other.refreshToken)).toEqual({ sessionId: other.sessionId, revoked: true });
      expect(await h.hj.sessions.get(other.sessionId)).toMatchObject({ status: "revoked", revokedAt: expect.any(Date) });
      await expect(h.hj.verifyToken(other.accessToken, { checkRevoked: true })).rejects.toMatchObject({ code: "revoked" });
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
      const paths = ["/v1/users", "/v1/users/by-email", "/v1/users/usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3", "/v1/users/%2e%2e", "/v1/users/x/disable", "/v1/users/x/impersonate", "/v1/organizations", "/v1/organizations/x/members", "/v1/sessions/x", `/v1/tenants/${h.t.tenantId}/auth/sign-in`, `/v1/tenants/x/jwks.json`, "/v1/nope"];
      const fields = ["email", "password", "first_name", "metadata", "limit", "cursor", "reason", "expires_in", "user_id", "name", "refresh_token", "__proto__", "constructor"];
      const headers = { authorization: `Bearer ${h.t.secretKey}`, "hellojohn-tenant-id": h.t.tenantId, "content-type": "application/json" };
      const statuses: number[] = [];
      for (let i = 0; i < 300; i++) {
        const method = pick(["GET", "POST", "PATCH", "DELETE", "PUT"] as const);
        const query = `?${pick(fields)}=${encodeURIComponent(String(pick(values)))}`;
        const body = method === "GET" || method === "DELETE" ? undefined : JSON.stringify(random() < 0.2 ? pick(values) : { [pick(fields)]: pick(values), [pick(fields)]: pick(values) });
        const response = await fetch(`${h.t.url}${pick(paths)}${query}`, { method, headers, body });
        statuses.push(response.status);
        if (response.status >= 400) expect(((await response.json()) as { error: { code: string } }).error.code).toEqual(expect.any(String));
        else await response.arrayBuffer();
      }
      expect(statuses.filter((s) => s >= 500)).toEqual([]);
    });
  });

  it("served every operation of the SDK through the contract checker", () => {
    for (const op of ["listUsers", "createUser", "getUser", "getUserByEmail", "updateUser", "deleteUser", "disableUser", "enableUser", "impersonateUser", "exportUser", "getSession", "getJwks", "getOpenIdConfiguration", "createOrganization", "addMember", "listMembers", "removeMember", "listOrganizations", "updateOrganization", "deleteOrganization", "getOrganization", "signIn", "refreshSession", "signOut"]) {
      expect(h.checker.seen).toContain(op);
    }
  });
});

/** MFA factors and OAuth connections have no admin API yet: they are written as sign-up flows would. */
async function insertCredentials(h: Harness, userId: string): Promise<void> {
  const db = h.t.server.database.db;
  const now = Date.now();
  await db.insertInto("mfa_factors").values({ id: `mfa_${userId.slice(4)}`, tenant_id: h.t.tenantId, user_id: userId, type: "totp", sealed_secret: "sealed:TOTPSECRET", created_at: now }).execute();
  await db
    .insertInto("oauth_connections")
    .values({ id: `oac_${userId.slice(4)}`, tenant_id: h.t.tenantId, user_id: userId, provider: "github", provider_user_id: "gh-1", sealed_tokens: "sealed:gho_token", created_at: now })
    .execute();
}

const TABLES = ["tenants", "api_keys", "signing_keys", "users", "sessions", "refresh_tokens", "mfa_factors", "oauth_connections", "organizations", "memberships", "audit_events", "idempotency_keys"] as const;

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

/** A loopback proxy that forwards to the server but drops the first create's response on the floor. */
async function lossyProxy(target: string): Promise<{ url: string; dropped: number; replayed: number; close(): Promise<void> }> {
  const state = { url: "", dropped: 0, replayed: 0, close: async (): Promise<void> => {} };
  const server: Server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !["host", "connection", "content-length"].includes(k))) as Record<string, string>;
      const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length > 0 ? Buffer.concat(chunks) : undefined });
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
