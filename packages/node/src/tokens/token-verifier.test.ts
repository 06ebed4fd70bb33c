import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { json, LoopbackServer, SECRET_KEY, TENANT_ID } from "../../test/loopback-server.js";
import { TokenVerificationError } from "../core/errors.js";
import type { HelloJohnOptions } from "../core/client-options.js";
import { HelloJohn } from "../hellojohn.js";

let server: LoopbackServer;
let issuer: string;
const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const other = generateKeyPairSync("ed25519");

const jwk = (key: KeyObject, kid: string) => ({ ...key.export({ format: "jwk" }), kid, alg: "EdDSA", use: "sig" });
const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString("base64url");

function token(claims: Record<string, unknown> = {}, header: Record<string, unknown> = {}, key: KeyObject = privateKey): string {
  const now = Math.floor(Date.now() / 1000);
  const h = b64({ alg: "EdDSA", typ: "JWT", kid: "kid_1", ...header });
  const p = b64({ iss: issuer, sub: "usr_1", sid: "ses_1", tid: TENANT_ID, iat: now, nbf: now, exp: now + 600, ...claims });
  return `${h}.${p}.${sign(null, Buffer.from(`${h}.${p}`), key).toString("base64url")}`;
}

const client = (options: HelloJohnOptions = {}): HelloJohn => new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: server.url, maxRetries: 0, ...options });

beforeAll(async () => {
  server = await new LoopbackServer().start();
  issuer = `${server.url}/v1/tenants/${TENANT_ID}`;
});
afterAll(() => server.close());
beforeEach(() => {
  server.reset();
  server.otherwise((req, res) => {
    if (req.url.endsWith("/jwks.json")) return json(res, 200, { keys: [jwk(publicKey, "kid_1")] });
    if (req.url === "/v1/sessions/ses_1") return json(res, 200, { id: "ses_1", user_id: "usr_1", status: "active" });
    if (req.url === "/v1/sessions/ses_revoked") return json(res, 200, { id: "ses_revoked", user_id: "usr_1", status: "revoked" });
    return json(res, 404, { error: { type: "not_found_error", code: "session_not_found", message: "no" } });
  });
});

const codeOf = (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (e: unknown) => (e instanceof TokenVerificationError ? e.code : `not a TokenVerificationError: ${String(e)}`),
  );

describe("verifyToken", () => {
  it("returns who the token is for, fetching the JWKS once", async () => {
    const hj = client();
    const result = await hj.verifyToken(token({ act: { sub: "key_1" }, act_reason: "Ticket 9" }));
    expect(result).toMatchObject({ userId: "usr_1", sessionId: "ses_1", tenantId: TENANT_ID, impersonator: { actorId: "key_1", reason: "Ticket 9" } });
    expect(result.expiresAt).toBeInstanceOf(Date);
    await hj.verifyToken(token({ sub: "usr_2" }));
    expect(server.requests.filter((r) => r.url.endsWith("jwks.json"))).toHaveLength(1);
  });

  it("reads the organization claims, and has({ role }) checks them exactly", async () => {
    const hj = client();
    const admin = await hj.verifyToken(token({ org_id: "org_1", org_role: "admin" }));
    expect(admin).toMatchObject({ orgId: "org_1", orgRole: "admin" });
    expect([admin.has({ role: "admin" }), admin.has({ role: "member" }), admin.has({ role: ["owner", "admin"] })]).toEqual([true, false, true]);
    expect(() => admin.has({ role: [] })).toThrow(TypeError);
    expect(() => admin.has(undefined as never)).toThrow(TypeError);
    const none = await hj.verifyToken(token());
    expect(none).toMatchObject({ orgId: null, orgRole: null });
    expect(none.has({ role: "admin" })).toBe(false);
    // A role without an organization grants nothing.
    expect((await hj.verifyToken(token({ org_role: "admin" }))).has({ role: "admin" })).toBe(false);
    expect(await codeOf(hj.verifyToken(token({ org_id: "org_1" })))).toBe("malformed");
    expect(await codeOf(hj.verifyToken(token({ org_id: 7, org_role: "admin" })))).toBe("malformed");
  });

  it.each([
    ["malformed", "not-a-jwt"],
    ["malformed", "a.b.c"],
    ["unsupported_algorithm", () => token({}, { alg: "none" })],
    ["unsupported_algorithm", () => token({}, { alg: "HS256" })],
    ["invalid_signature", () => token({}, {}, other.privateKey)],
    ["invalid_signature", () => `${token().slice(0, -6)}AAAAAA`],
    ["expired", () => token({ exp: Math.floor(Date.now() / 1000) - 60 })],
    ["not_yet_valid", () => token({ nbf: Math.floor(Date.now() / 1000) + 600 })],
    ["wrong_tenant", () => token({ tid: "ten_01J9Z3K4M5N6P7Q8R9S0T1V2W9" })],
    ["invalid_issuer", () => token({ iss: "https://evil.example" })],
  ])("rejects with code %s", async (code, make) => {
    const value = typeof make === "function" ? make() : make;
    expect(await codeOf(client().verifyToken(value))).toBe(code);
  });

  it("never answers a token from another's remembered result, even one ending the same way", async () => {
    const hj = client();
    const genuine = token({ sub: "usr_1" });
    expect(await hj.verifyToken(genuine)).toMatchObject({ userId: "usr_1" });
    // The same signature (so the same end) on a payload that claims another user: remembered tokens are compared in full.
    const [header, , signature] = genuine.split(".");
    const forged = `${header}.${b64({ iss: issuer, sub: "usr_evil", sid: "ses_1", tid: TENANT_ID, exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`;
    expect(await codeOf(hj.verifyToken(forged))).toBe("invalid_signature");
    // The genuine token is still remembered, and still answered as itself.
    expect(await hj.verifyToken(genuine)).toMatchObject({ userId: "usr_1" });
  });

  it("tolerates small clock skew", async () => {
    expect(await codeOf(client().verifyToken(token({ exp: Math.floor(Date.now() / 1000) - 2 })))).toBeUndefined();
  });

  it("checks the audience only when asked", async () => {
    const t = token({ aud: "api" });
    await expect(client().verifyToken(t, { audience: ["web", "api"] })).resolves.toBeDefined();
    expect(await codeOf(client().verifyToken(t, { audience: "web" }))).toBe("invalid_audience");
  });

  it("checks revocation with one API call when asked", async () => {
    const hj = client();
    await expect(hj.verifyToken(token(), { checkRevoked: true })).resolves.toBeDefined();
    expect(await codeOf(hj.verifyToken(token({ sid: "ses_revoked" }), { checkRevoked: true }))).toBe("revoked");
    expect(await codeOf(hj.verifyToken(token({ sid: "ses_gone" }), { checkRevoked: true }))).toBe("revoked");
  });

  it("does not hold a failed key fetch against the next verification", async () => {
    server.script((_req, res) => json(res, 503, { error: { type: "api_error", code: "down", message: "down" } }));
    const hj = client();
    await expect(hj.verifyToken(token())).rejects.toMatchObject({ name: "ServerError" });
    await expect(hj.verifyToken(token())).resolves.toMatchObject({ userId: "usr_1" });
  });

  it("refetches the JWKS for an unknown kid, at most once per cooldown", async () => {
    const hj = client();
    await hj.verifyToken(token());
    server.otherwise((_req, res) => json(res, 200, { keys: [jwk(publicKey, "kid_1"), jwk(other.publicKey, "kid_2")] }));
    const rotated = token({}, { kid: "kid_2" }, other.privateKey);
    // Within the cooldown of the first fetch the new key is not looked up.
    expect(await codeOf(hj.verifyToken(rotated))).toBe("unknown_key");
    const fresh = client();
    await expect(fresh.verifyToken(rotated)).resolves.toMatchObject({ userId: "usr_1" });
    expect(await codeOf(fresh.verifyToken(token({}, { kid: "kid_3" })))).toBe("unknown_key");
    expect(server.requests.filter((r) => r.url.endsWith("jwks.json"))).toHaveLength(2);
  });

  it("applies the client's audience and authorized parties to every verification, a call's options first", async () => {
    const hj = client({ audience: "api", authorizedParties: ["https://app.example.com"] });
    await expect(hj.verifyToken(token({ aud: "api", azp: "https://app.example.com" }))).resolves.toBeDefined();
    // Without azp a token passes (Clerk's rule); without aud it does not.
    await expect(hj.verifyToken(token({ aud: ["other", "api"] }))).resolves.toBeDefined();
    expect(await codeOf(hj.verifyToken(token()))).toBe("invalid_audience");
    expect(await codeOf(hj.verifyToken(token({ aud: "api", azp: "https://evil.example" })))).toBe("invalid_authorized_party");
    const remembered = token({ aud: "api", azp: "https://admin.example.com" });
    expect(await codeOf(hj.verifyToken(remembered))).toBe("invalid_authorized_party");
    // The same token, now remembered, is still checked, against the call's own parties.
    expect(await codeOf(hj.verifyToken(remembered))).toBe("invalid_authorized_party");
    await expect(hj.verifyToken(remembered, { authorizedParties: ["https://admin.example.com"] })).resolves.toBeDefined();
    await expect(hj.verifyToken(token({ aud: "web" }), { audience: "web" })).resolves.toBeDefined();
  });

  it("refuses malformed audience options when the client is made", () => {
    expect(() => client({ audience: [] })).toThrow(/"audience" must be a non-empty string or a non-empty array/);
    expect(() => client({ authorizedParties: "https://app.example.com" as unknown as string[] })).toThrow(/"authorizedParties" must be a non-empty array/);
  });
});

describe("the issuer", () => {
  const discovery = (issuerUrl: string) => (req: { url: string }, res: Parameters<Parameters<LoopbackServer["otherwise"]>[0]>[1]) => {
    if (req.url.endsWith("/.well-known/openid-configuration")) return json(res, 200, { issuer: issuerUrl, jwks_uri: `${issuerUrl}/jwks.json` });
    return json(res, 200, { keys: [jwk(publicKey, "kid_1")] });
  };

  it("is learned from the tenant's discovery document, once, not guessed from the base URL", async () => {
    // The server calls itself 127.0.0.1; the app reaches it as localhost (or a Docker service name).
    server.otherwise(discovery(issuer));
    const hj = client({ baseUrl: server.url.replace("127.0.0.1", "localhost") });
    await expect(hj.verifyToken(token())).resolves.toMatchObject({ userId: "usr_1" });
    await expect(hj.verifyToken(token({ sub: "usr_2" }))).resolves.toMatchObject({ userId: "usr_2" });
    const guessed = `${hj.baseUrl}/v1/tenants/${TENANT_ID}`;
    expect(await codeOf(hj.verifyToken(token({ iss: guessed })))).toBe("invalid_issuer");
    expect(server.requests.filter((r) => r.url === `/v1/tenants/${TENANT_ID}/.well-known/openid-configuration`)).toHaveLength(1);
  });

  it("is what the issuer option says, without any discovery request", async () => {
    server.otherwise(discovery("https://ignored.example"));
    const hj = client({ issuer });
    await expect(hj.verifyToken(token())).resolves.toBeDefined();
    expect(server.requests.filter((r) => r.url.includes("openid-configuration"))).toHaveLength(0);
  });

  it("falls back to the base URL when the server has no discovery document, and retries a failed discovery", async () => {
    // The default responder answers 404 for the discovery document.
    await expect(client().verifyToken(token())).resolves.toBeDefined();
    let discoveryDown = true;
    server.otherwise((req, res) => {
      if (discoveryDown && req.url.endsWith("/openid-configuration")) {
        discoveryDown = false;
        return json(res, 503, { error: { type: "api_error", code: "down", message: "down" } });
      }
      return discovery(issuer)(req, res);
    });
    const hj = client({ baseUrl: server.url.replace("127.0.0.1", "localhost") });
    await expect(hj.verifyToken(token())).rejects.toMatchObject({ name: "ServerError" });
    await expect(hj.verifyToken(token())).resolves.toMatchObject({ userId: "usr_1" });
  });
});
