import { generateKeyPairSync, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { json, LoopbackServer, SECRET_KEY, TENANT_ID } from "../../test/loopback-server.js";
import { HelloJohn, isHelloJohnClient } from "../hellojohn.js";
import { AbortError, NotFoundError, ServerError } from "../core/errors.js";
import { authenticateRequest, authenticateRequestCallback, tokenFromHeaders, unauthorizedBody } from "./authenticate-request.js";
import { errorResponse } from "./error-response.js";

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
let server: LoopbackServer;
let hj: HelloJohn;
let token: string;

beforeAll(async () => {
  server = await new LoopbackServer().start();
  server.otherwise((req, res) => {
    if (req.url.endsWith("jwks.json")) return json(res, 200, { keys: [{ ...publicKey.export({ format: "jwk" }), kid: "k1" }] });
    return json(res, 200, { id: "ses_1", user_id: "usr_1", status: "revoked" });
  });
  hj = new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: server.url, maxRetries: 0 });
  const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64url");
  const now = Math.floor(Date.now() / 1000);
  const h = b64({ alg: "EdDSA", kid: "k1" });
  const p = b64({ iss: `${server.url}/v1/tenants/${TENANT_ID}`, sub: "usr_1", sid: "ses_1", tid: TENANT_ID, exp: now + 600 });
  token = `${h}.${p}.${sign(null, Buffer.from(`${h}.${p}`), privateKey).toString("base64url")}`;
});
afterAll(() => server.close());

describe("tokenFromHeaders", () => {
  it("reads a bearer token case-insensitively, or the named cookie", () => {
    expect(tokenFromHeaders({ authorization: "bearer abc" })).toBe("abc");
    expect(tokenFromHeaders({ authorization: "Basic abc" })).toBeNull();
    expect(tokenFromHeaders({ authorization: "Bearer   " })).toBeNull();
    expect(tokenFromHeaders({ cookie: "a=1; hj=x%2Ey; b=2" }, "hj")).toBe("x.y");
    expect(tokenFromHeaders({ cookie: "hj=x" })).toBeNull();
    expect(tokenFromHeaders({ cookie: "hj=%E0%A4%A" }, "hj")).toBeNull();
    expect(tokenFromHeaders({ authorization: "Bearer a", cookie: "hj=b" }, "hj")).toBe("a");
  });
});

describe("authenticateRequest", () => {
  it("answers synchronously without a token, and for a token it has verified before", async () => {
    expect(authenticateRequest(hj, {})).toEqual({ auth: null, token: null, error: null });
    const first = authenticateRequest(hj, { authorization: `Bearer ${token}` });
    expect(first).toBeInstanceOf(Promise);
    expect((await first).auth?.userId).toBe("usr_1");
    const again = authenticateRequest(hj, { authorization: `Bearer ${token}` });
    expect(again).not.toBeInstanceOf(Promise);
    expect(again).toMatchObject({ auth: { userId: "usr_1" }, token, error: null });
  });

  it("holds a remembered token to the audience and authorized parties asked for, or the client's", async () => {
    expect(authenticateRequest(hj, { authorization: `Bearer ${token}` })).not.toBeInstanceOf(Promise);
    // The token has no aud: remembered or not, an audience requirement refuses it.
    const withAudience = authenticateRequest(hj, { authorization: `Bearer ${token}` }, { audience: "api" });
    expect(withAudience).toBeInstanceOf(Promise);
    expect(await withAudience).toMatchObject({ auth: null, error: { code: "invalid_audience" } });
    const strict = new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: server.url, maxRetries: 0, audience: "api" });
    expect(await authenticateRequest(strict, { authorization: `Bearer ${token}` })).toMatchObject({ auth: null, error: { code: "invalid_audience" } });
    expect(await authenticateRequest(strict, { authorization: `Bearer ${token}` }, { audience: ["api", "other"] })).toMatchObject({ error: { code: "invalid_audience" } });
    // Without azp, any authorized parties are met (Clerk's rule).
    expect(authenticateRequest(hj, { authorization: `Bearer ${token}` }, { authorizedParties: ["https://app.example.com"] })).toMatchObject({ auth: { userId: "usr_1" } });
  });

  it("reports a bad token as an error value, and a revoked session when asked to check", async () => {
    expect(await authenticateRequest(hj, { authorization: "Bearer nope" })).toMatchObject({ auth: null, token: "nope", error: { code: "malformed" } });
    const checked = authenticateRequest(hj, { authorization: `Bearer ${token}` }, { checkRevoked: true });
    expect(checked).toBeInstanceOf(Promise);
    expect(await checked).toMatchObject({ auth: null, error: { code: "revoked" } });
  });

  it("throws when HelloJohn cannot be reached for keys", async () => {
    const offline = new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
    await expect(authenticateRequest(offline, { authorization: `Bearer ${token}` })).rejects.toMatchObject({ name: "ConnectionError" });
  });
});

describe("authenticateRequestCallback", () => {
  it("calls back synchronously for a remembered token, and later for a new one or a failure", async () => {
    let called = false;
    authenticateRequestCallback(hj, { authorization: `Bearer ${token}` }, {}, () => void (called = true));
    expect(called).toBe(true);

    const fresh = new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: server.url, maxRetries: 0 });
    const result = await new Promise((resolve) => authenticateRequestCallback(fresh, { authorization: `Bearer ${token}` }, {}, (e, a) => resolve([e, a?.auth?.userId])));
    expect(result).toEqual([null, "usr_1"]);

    const offline = new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: "http://127.0.0.1:9", maxRetries: 0 });
    const failed = await new Promise((resolve) => authenticateRequestCallback(offline, { authorization: `Bearer ${token}` }, {}, (e, a) => resolve([e?.name, a])));
    expect(failed).toEqual(["ConnectionError", null]);
  });
});

describe("response helpers", () => {
  it("describe a 401 without and with a reason", () => {
    expect(unauthorizedBody(null)).toEqual({ error: { type: "authentication_error", code: "unauthenticated", message: expect.any(String) } });
  });

  it("keep an API 4xx and turn failures upstream into 502", () => {
    const notFound = new NotFoundError("No such user", { status: 404, type: "not_found_error", code: "user_not_found", requestId: "req_1" });
    expect(errorResponse(notFound)).toEqual({ status: 404, body: { error: { type: "not_found_error", code: "user_not_found", message: "No such user", requestId: "req_1" } } });
    expect(errorResponse(new ServerError("boom", { status: 503 })).status).toBe(502);
    expect(errorResponse(new AbortError()).status).toBe(502);
  });

  it("recognise a client by brand", () => {
    expect(isHelloJohnClient(hj)).toBe(true);
    expect(isHelloJohnClient({ users: {} })).toBe(false);
  });
});
