import { generateKeyPairSync, sign, type KeyObject } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { json, LoopbackServer, SECRET_KEY, TENANT_ID } from "../../test/loopback-server.js";
import { TokenVerificationError } from "../core/errors.js";
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

const client = (): HelloJohn => new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: server.url, maxRetries: 0 });

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
});
