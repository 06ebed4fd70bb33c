import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { inspect } from "node:util";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { apiError, json, LoopbackServer, SECRET_KEY, TENANT_ID, wireUser } from "../../test/loopback-server.js";
import { HelloJohn } from "../hellojohn.js";
import type { FetchLike } from "./client-options.js";
import { responseOf } from "./response-info.js";
import { AbortError, ConflictError, ConnectionError, NotFoundError, RateLimitError, TimeoutError, ValidationError, isHelloJohnError } from "./errors.js";

const USER_ID = "usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3";
let server: LoopbackServer;

const client = (options: ConstructorParameters<typeof HelloJohn>[0] = {}): HelloJohn =>
  new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: server.url, ...options });

beforeAll(async () => {
  server = await new LoopbackServer().start();
});
afterAll(() => server.close());
beforeEach(() => server.reset());

/** A loopback port nothing listens on (fetch refuses well-known ones such as 9 outright as "bad port"). */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("requests", () => {
  it("sends authentication, tenant, user agent and JSON, and parses dates", async () => {
    server.script((_req, res) => json(res, 201, wireUser(USER_ID, { last_sign_in_at: "2026-02-03T04:05:06.000Z" })));
    const user = await client().users.create({ email: "jane@example.com", firstName: "Jane", metadata: { plan: "pro" } });
    const [req] = server.requests;
    expect(req?.method).toBe("POST");
    expect(req?.url).toBe("/v1/users");
    expect(req?.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
    expect(req?.headers["hellojohn-tenant-id"]).toBe(TENANT_ID);
    expect(req?.headers["user-agent"]).toMatch(/^hellojohn-node\/\d+\.\d+\.\d+ node\/v\d+/);
    expect(req?.headers["idempotency-key"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(JSON.parse(req?.body ?? "")).toEqual({ email: "jane@example.com", first_name: "Jane", metadata: { plan: "pro" } });
    expect(user.createdAt).toBeInstanceOf(Date);
    expect(user.lastSignInAt?.toISOString()).toBe("2026-02-03T04:05:06.000Z");
  });

  it("builds list queries from camelCase params and skips undefined ones", async () => {
    server.script((_req, res) => json(res, 200, { data: [], next_cursor: null, total: 0 }));
    await client().users.list({ limit: 10, status: "active", orgId: "org_01J9Z3K4M5N6P7Q8R9S0T1V2W3", search: "a b%" });
    expect(server.requests[0]?.url).toBe("/v1/users?limit=10&search=a+b%25&status=active&org_id=org_01J9Z3K4M5N6P7Q8R9S0T1V2W3");
  });

  it("encodes IDs into paths and refuses empty ones before sending", async () => {
    server.script((_req, res) => json(res, 200, wireUser(USER_ID)));
    await client().users.get("usr_../../x");
    expect(server.requests[0]?.url).toBe("/v1/users/usr_..%2F..%2Fx");
    await expect(client().users.get("")).rejects.toMatchObject({ name: "ValidationError", param: "userId" });
    expect(server.requests).toHaveLength(1);
  });

  it("refuses unknown fields instead of dropping them", async () => {
    await expect(client().users.update(USER_ID, { nickname: "J" } as never)).rejects.toMatchObject({ code: "unknown_param", param: "nickname" });
    expect(server.requests).toHaveLength(0);
  });

  it("uses the caller's idempotency key and extra headers but never lets them replace authentication", async () => {
    server.script((_req, res) => json(res, 200, wireUser(USER_ID)));
    await client().users.disable(USER_ID, { idempotencyKey: "my-key", headers: { authorization: "Bearer nope", "x-trace": "1" } });
    expect(server.requests[0]?.headers["idempotency-key"]).toBe("my-key");
    expect(server.requests[0]?.headers["x-trace"]).toBe("1");
    expect(server.requests[0]?.headers.authorization).toBe(`Bearer ${SECRET_KEY}`);
  });

  it("converts impersonation durations to seconds", async () => {
    server.script((_req, res) => json(res, 201, { access_token: "t", expires_at: "2026-01-01T00:00:00.000Z", session_id: "ses_x" }));
    await client().users.impersonate(USER_ID, { reason: "Ticket #1", expiresIn: "15m" });
    expect(JSON.parse(server.requests[0]?.body ?? "")).toEqual({ reason: "Ticket #1", expires_in: 900 });
    await expect(client().users.impersonate(USER_ID, { reason: "x", expiresIn: "2 days" as never })).rejects.toMatchObject({ param: "expiresIn" });
  });
});

describe("connections", () => {
  it("reuses keep-alive connections: sequential requests open no new ones", async () => {
    const hj = client();
    server.otherwise((_req, res) => json(res, 200, wireUser(USER_ID)));
    for (let i = 0; i < 2; i++) await hj.users.get(USER_ID);
    const warm = server.connections;
    for (let i = 0; i < 20; i++) await hj.users.get(USER_ID);
    expect(server.connections).toBe(warm);
    server.otherwise(apiError(500, "unscripted"));
  });
});

describe("errors", () => {
  it.each([
    [400, ValidationError],
    [404, NotFoundError],
    [409, ConflictError],
  ])("maps %i to its class without retrying, keeping code, param and requestId", async (status, ErrorClass) => {
    server.script(apiError(status, "some_code", { param: "first_name" }));
    const error = await client()
      .users.get(USER_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ErrorClass);
    expect(error).toMatchObject({ status, code: "some_code", param: "firstName", requestId: "req_body" });
    expect(isHelloJohnError(error)).toBe(true);
    expect(server.requests).toHaveLength(1);
  });

  it("keeps stable names", () => {
    expect(new TimeoutError(5).name).toBe("TimeoutError");
    expect(new TimeoutError(5)).toBeInstanceOf(ConnectionError);
    expect(new AbortError().name).toBe("AbortError");
  });
});

describe("retries", () => {
  const fast = { maxRetries: 2 };

  it("retries a 503 and succeeds, with the same idempotency key and a retry count", async () => {
    server.script(apiError(503, "unavailable"), (_req, res) => json(res, 200, wireUser(USER_ID)));
    const user = await client(fast).users.update(USER_ID, { firstName: "J" });
    expect(user.id).toBe(USER_ID);
    const [first, second] = server.requests;
    expect(first?.headers["idempotency-key"]).toBeDefined();
    expect(second?.headers["idempotency-key"]).toBe(first?.headers["idempotency-key"]);
    expect(first?.headers["hellojohn-retry-count"]).toBeUndefined();
    expect(second?.headers["hellojohn-retry-count"]).toBe("1");
  });

  it("honours Retry-After on 429", async () => {
    server.script(
      (_req, res) => json(res, 429, { error: { type: "rate_limit_error", code: "rate_limited", message: "slow down" } }, { "retry-after": "1" }),
      (_req, res) => json(res, 200, wireUser(USER_ID)),
    );
    const waits: string[] = [];
    const log = (message: string): void => void waits.push(message);
    await client({ ...fast, logLevel: "info", logger: { debug: log, info: log, warn: log, error: log } }).users.get(USER_ID);
    expect(waits).toEqual([expect.stringContaining("answered 429; retrying in 1000 ms")]);
    expect(server.requests).toHaveLength(2);
  });

  it("gives up after maxRetries and reports the last error with retryAfter", async () => {
    const limited = (_req: unknown, res: Parameters<typeof json>[0]): void =>
      json(res, 429, { error: { type: "rate_limit_error", code: "rate_limited", message: "slow down" } }, { "retry-after": "0" });
    server.script(limited, limited);
    const error = await client({ maxRetries: 1 })
      .users.get(USER_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(error).toMatchObject({ retryAfter: 0 });
    expect(server.requests).toHaveLength(2);
  });

  it("does not wait out a Retry-After longer than 60 s", async () => {
    server.script((_req, res) => json(res, 503, { error: { type: "api_error", code: "down", message: "down" } }, { "retry-after": "3600" }));
    await expect(client(fast).users.get(USER_ID)).rejects.toMatchObject({ status: 503, retryAfter: 3600 });
    expect(server.requests).toHaveLength(1);
  });

  it("retries a connection reset mid-response", async () => {
    server.script(
      (_req, res) => {
        res.writeHead(200, { "content-type": "application/json", "content-length": "500" });
        res.write('{"id":"usr_');
        setTimeout(() => res.socket?.destroy(), 10);
      },
      (_req, res) => json(res, 200, wireUser(USER_ID)),
    );
    const user = await client(fast).users.get(USER_ID);
    expect(user.id).toBe(USER_ID);
    expect(server.requests).toHaveLength(2);
  });

  it("times out stalled headers per attempt, retries, then raises TimeoutError", async () => {
    server.script(
      () => undefined,
      () => undefined,
    );
    const error = await client({ timeout: 200, maxRetries: 1 })
      .users.get(USER_ID)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TimeoutError);
    expect(server.requests).toHaveLength(2);
  });

  it("raises ConnectionError when nothing listens, naming the URL and the cause", async () => {
    const port = await closedPort();
    const dead = new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, baseUrl: `http://127.0.0.1:${port}`, maxRetries: 0 });
    const error = (await dead.users.getByEmail("jane@example.com").catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(ConnectionError);
    expect(error.message).toBe(`Connection to HelloJohn at http://127.0.0.1:${port}/v1/users/by-email failed: connect ECONNREFUSED 127.0.0.1:${port}`);
  });

  it("says which API URL was used when nobody chose it, and how to change it", async () => {
    vi.stubEnv("HELLOJOHN_API_URL", "");
    const port = await closedPort();
    // The default origin, refused for real on loopback instead of reaching the internet.
    const refuse: FetchLike = (url, init) => fetch(url.replace("https://api.hellojohn.dev", `http://127.0.0.1:${port}`), init);
    const error = (await client({ baseUrl: undefined, fetch: refuse, maxRetries: 0 })
      .users.get(USER_ID)
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toContain("at https://api.hellojohn.dev/v1/users/");
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).toContain("HELLOJOHN_API_URL is not set, so the default https://api.hellojohn.dev was used; set HELLOJOHN_API_URL or pass { baseUrl }");
    vi.stubEnv("HELLOJOHN_API_URL", `http://127.0.0.1:${port}`);
    const fromEnv = (await client({ baseUrl: undefined, maxRetries: 0 })
      .users.get(USER_ID)
      .catch((e: unknown) => e)) as Error;
    expect(fromEnv.message).toContain(`(the API URL http://127.0.0.1:${port} comes from HELLOJOHN_API_URL)`);
    vi.unstubAllEnvs();
  });

  it("never retries a caller's abort", async () => {
    server.script(() => undefined);
    const controller = new AbortController();
    const pending = client(fast).users.get(USER_ID, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.requests).toHaveLength(1);
  });

  it("stops waiting between retries when aborted", async () => {
    server.script(apiError(503, "down"));
    const controller = new AbortController();
    const pending = client({ maxRetries: 5 }).users.get(USER_ID, { signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toBeInstanceOf(AbortError);
    expect(server.requests).toHaveLength(1);
  });
});

describe("response metadata", () => {
  it("is readable for every result, without changing it: request ID, status, idempotency key, replay", async () => {
    server.script((_req, res) => json(res, 201, wireUser(USER_ID), { "x-request-id": "req_first" }));
    server.script((_req, res) => json(res, 201, wireUser(USER_ID), { "x-request-id": "req_again", "idempotent-replayed": "true" }));
    const hj = client();
    const created = await hj.users.create({ email: "jane@example.com" }, { idempotencyKey: "signup-42" });
    const replayed = await hj.users.create({ email: "jane@example.com" }, { idempotencyKey: "signup-42" });
    expect(responseOf(created)).toMatchObject({ status: 201, requestId: "req_first", idempotencyKey: "signup-42", idempotentReplayed: false, attempts: 1 });
    expect(responseOf(replayed)).toMatchObject({ requestId: "req_again", idempotentReplayed: true });
    expect(Object.keys(created)).toEqual(Object.keys(replayed));
    expect(JSON.stringify(created)).not.toContain("req_first");

    server.script((_req, res) => json(res, 200, { data: [], next_cursor: null, total: 0 }, { "x-request-id": "req_page" }));
    const page = await hj.users.list();
    expect(responseOf(page)).toMatchObject({ status: 200, requestId: "req_page", idempotencyKey: undefined });
    expect(responseOf("not a result")).toBeUndefined();
  });
});

describe("pagination", () => {
  const page = (ids: string[], next: string | null) => (_req: unknown, res: Parameters<typeof json>[0]) =>
    json(res, 200, { data: ids.map((id) => wireUser(id)), next_cursor: next, total: 5 });

  it("awaits to the first page and iterates every user across pages, keeping the filters", async () => {
    server.script(page(["usr_1", "usr_2"], "c1"), page([], "c2"), page(["usr_3"], null));
    const list = client().users.list({ status: "disabled", limit: 2 });
    const first = await list;
    expect(first.users.map((u) => u.id)).toEqual(["usr_1", "usr_2"]);
    expect(first.nextCursor).toBe("c1");
    const ids: string[] = [];
    for await (const user of list) ids.push(user.id);
    expect(ids).toEqual(["usr_1", "usr_2", "usr_3"]);
    // The first page was fetched once; the empty page with a cursor did not end the walk.
    expect(server.requests.map((r) => r.url)).toEqual([
      "/v1/users?limit=2&status=disabled",
      "/v1/users?limit=2&cursor=c1&status=disabled",
      "/v1/users?limit=2&cursor=c2&status=disabled",
    ]);
  });

  it("stops on a repeated cursor instead of looping", async () => {
    server.otherwise(page(["usr_1"], "same"));
    const ids = await client().users.list().toArray({ limit: 100 });
    expect(ids).toHaveLength(2);
    expect(server.requests).toHaveLength(2);
    server.otherwise(apiError(500, "unscripted"));
  });

  it("caps toArray", async () => {
    server.script(page(["usr_1", "usr_2"], "c1"), page(["usr_3", "usr_4"], "c2"));
    const users = await client().users.list().toArray({ limit: 3 });
    expect(users.map((u) => u.id)).toEqual(["usr_1", "usr_2", "usr_3"]);
    expect(server.requests).toHaveLength(2);
  });
});

describe("secrets", () => {
  it("never shows the secret key in inspect, JSON, errors or debug logs", async () => {
    const lines: string[] = [];
    const sink = (message: string, data?: Record<string, unknown>): void => {
      lines.push(message + JSON.stringify(data ?? {}));
    };
    const hj = client({ logLevel: "debug", logger: { debug: sink, info: sink, warn: sink, error: sink }, maxRetries: 1 });
    server.script(apiError(500, "boom"), apiError(401, "invalid_api_key"));
    const error = await hj.users.get(USER_ID).catch((e: unknown) => e);
    const shown = [inspect(hj, { depth: 10, showHidden: true }), JSON.stringify(hj), String(error), JSON.stringify(error), inspect(error), ...lines].join("\n");
    expect(lines.length).toBeGreaterThan(0);
    expect(shown).not.toContain(SECRET_KEY);
    expect(shown).not.toContain(SECRET_KEY.slice(30));
  });
});
