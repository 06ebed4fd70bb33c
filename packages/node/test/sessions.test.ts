import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelloJohn } from "../src/index.js";
import { email, PASSWORD, realServer, testDatabases, type RealServer } from "./real-server.js";

describe.each(await testDatabases())("hj.sessions against a real server on $name", (database) => {
  let h: RealServer;
  beforeAll(async () => {
    h = await realServer(database);
  });
  afterAll(async () => {
    await h.close();
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
      const api = new HelloJohn({
        tenantId: h.t.tenantId,
        secretKey: h.t.secretKey,
        baseUrl: h.t.url,
        audience: "https://api.example.com",
        authorizedParties: ["https://app.example.com"],
      });
      const signedIn = await h.hj.sessions.signInWithPassword({
        email: address,
        password: PASSWORD,
        audience: "https://api.example.com",
        authorizedParty: "https://app.example.com",
      });
      await expect(api.verifyToken(signedIn.accessToken)).resolves.toMatchObject({ claims: { aud: "https://api.example.com", azp: "https://app.example.com" } });
      // A token for another app's origin, or without the audience, is refused.
      const elsewhere = await h.hj.sessions.signInWithPassword({
        email: address,
        password: PASSWORD,
        audience: "https://api.example.com",
        authorizedParty: "https://evil.example",
      });
      await expect(api.verifyToken(elsewhere.accessToken)).rejects.toMatchObject({ code: "invalid_authorized_party" });
      const plain = await h.hj.sessions.refresh(signedIn.refreshToken);
      await expect(api.verifyToken(plain.accessToken)).rejects.toMatchObject({ code: "invalid_audience" });
      const kept = await h.hj.sessions.refresh({ refreshToken: plain.refreshToken, audience: "https://api.example.com", authorizedParty: "https://app.example.com" });
      await expect(api.verifyToken(kept.accessToken)).resolves.toMatchObject({ sessionId: signedIn.sessionId });
      await expect(h.hj.sessions.signInWithPassword({ email: address, password: PASSWORD, authorizedParty: "" })).rejects.toMatchObject({
        name: "ValidationError",
        param: "authorizedParty",
      });
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
});
