import { generateKeyPairSync, sign } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { json, LoopbackServer, SECRET_KEY, TENANT_ID } from "../../test/loopback-server.js";
import { HelloJohn, isHelloJohnClient } from "../hellojohn.js";
import type { ServerResponse } from "node:http";
import { AbortError, NotFoundError, ServerError, type HelloJohnError } from "../core/errors.js";
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

  it("reports HelloJohn unreachable for keys as a failure value, and logs it", async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (message: string) => void warnings.push(message) };
    const offline = new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: "http://127.0.0.1:9", maxRetries: 0, logger });
    const result = await authenticateRequest(offline, { authorization: `Bearer ${token}` });
    expect(result).toMatchObject({ auth: null, token, error: null, failure: { name: "ConnectionError" } });
    expect(warnings).toEqual([expect.stringContaining("127.0.0.1:9")]);
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

    const offline = new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: "http://127.0.0.1:9", maxRetries: 0, logLevel: "off" });
    const failed = await new Promise((resolve) => authenticateRequestCallback(offline, { authorization: `Bearer ${token}` }, {}, (e, a) => resolve([e, a?.failure?.name])));
    expect(failed).toEqual([null, "ConnectionError"]);
  });
});

describe("response helpers", () => {
  it("describe a 401 without and with a reason", () => {
    expect(unauthorizedBody(null)).toEqual({ error: { type: "authentication_error", code: "unauthenticated", message: expect.any(String) } });
  });

  it("keep an API 4xx, answer 503 with Retry-After while HelloJohn is unavailable, and hide its failures", () => {
    const logged: string[] = [];
    const logger = { warn: (m: string) => void logged.push(m), error: (m: string) => void logged.push(m) };
    const notFound = new NotFoundError("No such user", { status: 404, type: "not_found_error", code: "user_not_found", requestId: "req_1" });
    expect(errorResponse(notFound, { logger })).toEqual({
      status: 404,
      headers: {},
      body: { error: { type: "not_found_error", code: "user_not_found", message: "No such user", requestId: "req_1" } },
    });
    expect(logged).toEqual([]);
    expect(errorResponse(new ServerError("boom", { status: 503, retryAfter: 2.5 }), { logger })).toMatchObject({ status: 503, headers: { "retry-after": "3" } });
    expect(errorResponse(new ServerError("database on fire", { status: 500 }), { logger })).toMatchObject({ status: 502, body: { error: { message: "Internal server error" } } });
    expect(errorResponse(new AbortError(), { logger }).status).toBe(502);
    expect(logged).toEqual([expect.stringContaining("boom"), expect.stringContaining("database on fire"), expect.stringContaining("aborted")]);
  });

  it("answer a rate limit on the app's key with 503 and Retry-After, but pass one end user's throttle through", async () => {
    const quiet = { logger: null };
    const limited = (_req: unknown, res: ServerResponse): void =>
      json(res, 429, { error: { type: "rate_limit_error", code: "rate_limited", message: "Slow down" } }, { "retry-after": "7" });
    server.script(limited);
    const admin = (await hj.users.get("usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3").catch((e: unknown) => e)) as HelloJohnError;
    expect(errorResponse(admin, quiet)).toMatchObject({ status: 503, headers: { "retry-after": "7" }, body: { error: { code: "service_unavailable" } } });
    expect(JSON.stringify(errorResponse(admin, quiet))).not.toContain("Slow down");
    server.script(limited);
    const signIn = (await hj.sessions.signInWithPassword({ email: "jane@example.com", password: "x" }).catch((e: unknown) => e)) as HelloJohnError;
    expect(errorResponse(signIn, quiet)).toMatchObject({ status: 429, headers: { "retry-after": "7" }, body: { error: { code: "rate_limited" } } });
  });

  it("recognise a client by brand", () => {
    expect(isHelloJohnClient(hj)).toBe(true);
    expect(isHelloJohnClient({ users: {} })).toBe(false);
  });
});

describe("a remembered token", () => {
  it("is no longer answered once it has expired", async () => {
    const client = new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: server.url, maxRetries: 0 });
    const headers = { authorization: `Bearer ${token}` };
    expect((await authenticateRequest(client, headers)).auth?.userId).toBe("usr_1");
    expect(authenticateRequest(client, headers)).not.toBeInstanceOf(Promise);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      // An hour on: the token's exp (10 minutes) and any clock tolerance are past.
      vi.setSystemTime(Date.now() + 3_600_000);
      const late = authenticateRequest(client, headers);
      expect(late).toBeInstanceOf(Promise);
      expect(await late).toMatchObject({ auth: null, error: { code: "expired" } });
    } finally {
      vi.useRealTimers();
    }
  });
});
