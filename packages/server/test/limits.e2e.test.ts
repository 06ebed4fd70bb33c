import { HelloJohn, type FetchLike } from "@hellojohn/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MasterKey, type LimitsOptions } from "../src/index.js";
import { startTestServer, type TestServer } from "../src/testing.js";
import { backends, type Backend } from "./backends.js";
import { send, signIn, type Exchange } from "./loopback-client.js";
import { REDIS_URL, redisAvailable, uniquePrefix } from "./redis.js";

const PASSWORD = "Passw0rd!!";
const WRONG = "not-the-password";
const dbs = await backends();
const redis = await redisAvailable();
const cases = dbs.flatMap((backend) => [
  { name: `${backend.name} with limits in memory`, backend, redisUrl: undefined as string | undefined },
  ...(redis ? [{ name: `${backend.name} with limits in Redis`, backend, redisUrl: REDIS_URL as string | undefined }] : []),
]);

/** Small production-style limits, so a test crosses them in a few requests. */
const SMALL: LimitsOptions = {
  preset: "production",
  signInPerAccountAndIp: { attempts: 3, windowSeconds: 60, blockSeconds: 1, maxBlockSeconds: 4 },
  signInPerIp: { attempts: 8, windowSeconds: 60, blockSeconds: 60, maxBlockSeconds: 60 },
  throttledSignInDelayMs: 0,
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const statuses = (exchanges: Exchange[]): number[] => exchanges.map((e) => e.status);

async function attempts(n: number, attempt: () => Promise<Exchange>): Promise<Exchange[]> {
  const out: Exchange[] = [];
  for (let i = 0; i < n; i++) out.push(await attempt());
  return out;
}

describe.each(cases)("abuse limits on $name", ({ backend, redisUrl }) => {
  // Every server on this database shares its master key: the server refuses one that cannot open the database's keys.
  const masterKey = MasterKey.generate();
  let databaseUrl: string;
  let t: TestServer;
  let n = 0;
  const account = async (): Promise<{ id: string; email: string }> => {
    const email = `limits.${n++}.${Date.now().toString(36)}@example.com`;
    const user = await t.client.users.create({ email, password: PASSWORD });
    return { id: user.id, email };
  };

  beforeAll(async () => {
    databaseUrl = await backend.create();
    t = await startTestServer({ databaseUrl, masterKey, limits: SMALL, redisUrl, redisKeyPrefix: uniquePrefix("limits") });
  });
  afterAll(async () => {
    await t?.close();
    await backend.drop(databaseUrl);
  });

  it("answers 429 with Retry-After past the limit without hashing, alike for unknown emails, while the owner signs in from another address", async () => {
    const { email } = await account();
    const from = "127.0.0.11";
    expect(statuses(await attempts(3, () => signIn(t.url, t.tenantId, email, WRONG, from)))).toEqual([401, 401, 401]);
    const hashedBefore = t.server.limits.hashing().completed;
    const throttled = await signIn(t.url, t.tenantId, email, WRONG, from);
    const evenRight = await signIn(t.url, t.tenantId, email, PASSWORD, from);
    expect(t.server.limits.hashing().completed).toBe(hashedBefore);
    for (const answer of [throttled, evenRight]) {
      expect(answer.status).toBe(429);
      expect(Number(answer.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(answer.body.error).toMatchObject({ type: "rate_limit_error", code: "too_many_attempts" });
    }

    const unknown = `nobody.${n++}@example.com`;
    expect(statuses(await attempts(3, () => signIn(t.url, t.tenantId, unknown, WRONG, from)))).toEqual([401, 401, 401]);
    const unknownThrottled = await signIn(t.url, t.tenantId, unknown, WRONG, from);
    expect(unknownThrottled.status).toBe(429);
    expect(unknownThrottled.headers["retry-after"]).toBe(throttled.headers["retry-after"]);
    expect({ ...unknownThrottled.body.error, requestId: null }).toEqual({ ...throttled.body.error, requestId: null });

    // The account's owner, elsewhere, is not locked out by the attack.
    const owner = await signIn(t.url, t.tenantId, email, PASSWORD, "127.0.0.2");
    expect(owner.status).toBe(200);
  });

  it("doubles the block each time the same pair crosses the limit again", async () => {
    const { email } = await account();
    const from = "127.0.0.12";
    await attempts(3, () => signIn(t.url, t.tenantId, email, WRONG, from));
    const first = await signIn(t.url, t.tenantId, email, WRONG, from);
    expect(first.headers["retry-after"]).toBe("1");
    await sleep(1100); // the 1 s block runs out; asking earlier would count as another attempt
    expect(statuses(await attempts(3, () => signIn(t.url, t.tenantId, email, WRONG, from)))).toEqual([401, 401, 401]);
    const second = await signIn(t.url, t.tenantId, email, WRONG, from);
    expect(second.status).toBe(429);
    expect(second.headers["retry-after"]).toBe("2");
  });

  it("starts the pair afresh after a successful sign-in", async () => {
    const { email } = await account();
    const from = "127.0.0.13";
    expect(statuses(await attempts(2, () => signIn(t.url, t.tenantId, email, WRONG, from)))).toEqual([401, 401]);
    expect((await signIn(t.url, t.tenantId, email, PASSWORD, from)).status).toBe(200);
    expect(statuses(await attempts(4, () => signIn(t.url, t.tenantId, email, WRONG, from)))).toEqual([401, 401, 401, 429]);
  });

  it("limits one address trying many accounts", async () => {
    const from = "127.0.0.14";
    const accounts = await Promise.all([account(), account(), account(), account(), account()]);
    const spread = await attempts(8, async () => signIn(t.url, t.tenantId, (accounts[n++ % 4] as { email: string }).email, WRONG, from));
    expect(statuses(spread).every((s) => s === 401)).toBe(true);
    const fifth = await signIn(t.url, t.tenantId, (accounts[4] as { email: string }).email, PASSWORD, from);
    expect(fifth.status).toBe(429);
    expect(fifth.headers["retry-after"]).toBe("60");
  });

  it("keys on the socket address and ignores X-Forwarded-For unless told to trust a proxy", async () => {
    const { email } = await account();
    const rotating = await attempts(4, async () => signIn(t.url, t.tenantId, email, WRONG, "127.0.0.15", { "x-forwarded-for": `203.0.113.${n++ % 250}` }));
    expect(statuses(rotating)).toEqual([401, 401, 401, 429]);
  });

  it("audits failed sign-ins as one counted row per account and window", async () => {
    const { id, email } = await account();
    await attempts(3, () => signIn(t.url, t.tenantId, email, WRONG, "127.0.0.16"));
    await signIn(t.url, t.tenantId, email, WRONG, "127.0.0.16"); // throttled: not hashed, not audited
    const failed = (await t.client.users.export(id)).auditEvents.filter((e) => e.type === "user.sign_in_failed");
    expect(failed).toHaveLength(1);
    expect(failed[0]?.data).toMatchObject({ reason: "wrong_password", count: 3 });
    const unknown = `ghost.${n++}@example.com`;
    await attempts(2, () => signIn(t.url, t.tenantId, unknown, WRONG, "127.0.0.17"));
    const rows = await t.server.database.db
      .selectFrom("audit_events")
      .select(["count", "data"])
      .where("tenant_id", "=", t.tenantId)
      .where("type", "=", "user.sign_in_failed")
      .where("subject_user_id", "is", null)
      .where("ip_address", "=", "127.0.0.17")
      .execute();
    expect(rows).toEqual([{ count: 2, data: expect.stringContaining("unknown_email") }]);
  });

  it("limits admin calls per secret key with RateLimit headers, and the SDK waits out a 429", async () => {
    const admin = await startTestServer({
      databaseUrl,
      masterKey,
      limits: { preset: "production", adminApi: { requests: 4, windowSeconds: 2 } },
      redisUrl,
      redisKeyPrefix: uniquePrefix("admin"),
    });
    try {
      const user = await admin.client.users.create({ email: `admin.${n++}@example.com` }); // 1 of 4
      const get = (secretKey = admin.secretKey) =>
        send(`${admin.url}/v1/users/${user.id}`, { headers: { authorization: `Bearer ${secretKey}`, "hellojohn-tenant-id": admin.tenantId } });
      const allowed = await attempts(3, () => get());
      expect(statuses(allowed)).toEqual([200, 200, 200]);
      expect(allowed.map((e) => e.headers["ratelimit"])).toEqual([
        expect.stringMatching(/^"admin";r=2;t=[12]$/),
        expect.stringMatching(/^"admin";r=1;t=/),
        expect.stringMatching(/^"admin";r=0;t=/),
      ]);
      expect(allowed[0]?.headers["ratelimit-policy"]).toBe('"admin";q=4;w=2');
      const limited = await get();
      expect(limited.status).toBe(429);
      expect(limited.body.error).toMatchObject({ type: "rate_limit_error", code: "rate_limited" });
      expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
      expect(limited.headers["ratelimit"]).toMatch(/^"admin";r=0;t=[12]$/);
      // Per key: another key of the same tenant has its own budget.
      const other = await admin.server.tenants.createApiKey(admin.tenantId, "other");
      expect((await get(other.secretKey)).status).toBe(200);

      const seen: number[] = [];
      const log: string[] = [];
      const recordingFetch: FetchLike = async (input, init) => {
        const response = await fetch(input, init);
        seen.push(response.status);
        return response;
      };
      const note = (message: string): void => void log.push(message);
      const sdk = new HelloJohn({
        tenantId: admin.tenantId,
        secretKey: admin.secretKey,
        baseUrl: admin.url,
        fetch: recordingFetch,
        maxRetries: 3,
        logLevel: "info",
        logger: { debug: note, info: note, warn: note, error: note },
      });
      await expect(sdk.users.get(user.id)).resolves.toMatchObject({ id: user.id });
      expect(seen[0]).toBe(429);
      expect(seen.at(-1)).toBe(200);
      expect(log.some((line) => /answered 429; retrying in \d+ ms/.test(line))).toBe(true);
    } finally {
      await admin.close();
    }
  });

  it("keeps a count-based flood at 429 without hashing while the owner and an admin client carry on", async () => {
    const flood = await startTestServer({ databaseUrl, masterKey, limits: { preset: "production", throttledSignInDelayMs: 50 }, redisUrl, redisKeyPrefix: uniquePrefix("flood") });
    try {
      const victim = `victim.${n++}@example.com`;
      const user = await flood.client.users.create({ email: victim, password: PASSWORD });
      const hashedBefore = flood.server.limits.hashing().completed;
      const answers: number[] = [];
      let sent = 0;
      const attacker = async (): Promise<void> => {
        while (sent < 600) {
          sent++;
          answers.push((await signIn(flood.url, flood.tenantId, victim, WRONG, "127.0.0.1")).status);
        }
      };
      const genuine = async (): Promise<number[]> => attempts(5, async () => signIn(flood.url, flood.tenantId, victim, PASSWORD, "127.0.0.2")).then(statuses);
      const adminCalls = async (): Promise<void> => {
        for (let i = 0; i < 20; i++) await flood.client.users.get(user.id);
      };
      const [owner] = await Promise.all([genuine(), adminCalls(), ...Array.from({ length: 50 }, attacker)]);
      expect(owner).toEqual([200, 200, 200, 200, 200]);
      expect(answers).toHaveLength(600);
      expect(answers.filter((s) => s !== 401 && s !== 429)).toEqual([]);
      const afterTen = answers.slice(10);
      expect(afterTen.filter((s) => s === 429).length / afterTen.length).toBeGreaterThanOrEqual(0.95);
      // Five free attempts for the pair, five for the owner: nothing else was hashed.
      expect(flood.server.limits.hashing().completed - hashedBefore).toBeLessThanOrEqual(10);
      const auditRows = await flood.server.database.db
        .selectFrom("audit_events")
        .select((eb) => eb.fn.countAll<number>().as("rows"))
        .where("tenant_id", "=", flood.tenantId)
        .where("type", "=", "user.sign_in_failed")
        .executeTakeFirstOrThrow();
      expect(Number(auditRows.rows)).toBeLessThanOrEqual(10);
    } finally {
      await flood.close();
    }
  });

  it("reports where the limits live in /health", async () => {
    const health = await send(`${t.url}/health`);
    expect(health.body).toEqual({ status: "ok", limits: redisUrl === undefined ? { store: "memory", redis: "not_configured" } : { store: "redis", redis: "connected" } });
  });
});

describe("limits that stay out of a developer's way", () => {
  it("lets startTestServer() take 20 wrong passwords in a row and then the right one", async () => {
    const t = await startTestServer();
    try {
      const email = "dev@example.com";
      await t.client.users.create({ email, password: PASSWORD });
      expect(new Set(statuses(await attempts(20, () => signIn(t.url, t.tenantId, email, WRONG))))).toEqual(new Set([401]));
      expect((await signIn(t.url, t.tenantId, email, PASSWORD)).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it("takes the client IP from the proxy's hop of X-Forwarded-For when trustProxy is set", async () => {
    const t = await startTestServer({ limits: SMALL, trustProxy: true });
    try {
      const email = "proxied@example.com";
      await t.client.users.create({ email, password: PASSWORD });
      // A client prepending addresses of its choice does not escape: the proxy's own entry is the last one.
      let spoof = 0;
      const spoofing = await attempts(4, async () => signIn(t.url, t.tenantId, email, WRONG, "127.0.0.1", { "x-forwarded-for": `203.0.113.${spoof++}, 198.51.100.7` }));
      expect(statuses(spoofing)).toEqual([401, 401, 401, 429]);
      // Another client behind the same proxy is another address.
      expect((await signIn(t.url, t.tenantId, email, PASSWORD, "127.0.0.1", { "x-forwarded-for": "198.51.100.8" })).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

const postgres = dbs.find((b) => b.name === "postgres");

describe.skipIf(postgres === undefined || !redis)("two instances on one PostgreSQL database and one Redis", () => {
  const masterKey = MasterKey.generate();
  const publicUrl = "https://auth.example.test";
  const redisKeyPrefix = uniquePrefix("shared");
  let databaseUrl: string;
  let first: TestServer;
  let second: TestServer;

  beforeAll(async () => {
    databaseUrl = await (postgres as Backend).create();
    const limits: LimitsOptions = { ...SMALL, adminApi: { requests: 4, windowSeconds: 10 } };
    const options = { databaseUrl, masterKey, publicUrl, limits, redisUrl: REDIS_URL, redisKeyPrefix };
    first = await startTestServer(options);
    second = await startTestServer(options);
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await postgres?.drop(databaseUrl);
  });

  it("holds a sign-in limit across both instances", async () => {
    const email = "shared.victim@example.com";
    await first.client.users.create({ email, password: PASSWORD });
    const urls = [first.url, second.url, first.url, second.url];
    const answers: number[] = [];
    for (const url of urls) answers.push((await signIn(url, first.tenantId, email, WRONG, "127.0.0.31")).status);
    expect(answers).toEqual([401, 401, 401, 429]);
    expect((await signIn(first.url, first.tenantId, email, PASSWORD, "127.0.0.31")).status).toBe(429);
  });

  it("holds an admin API limit across both instances", async () => {
    const key = await first.server.tenants.createApiKey(first.tenantId, "shared");
    const call = (url: string) => send(`${url}/v1/users?limit=1`, { headers: { authorization: `Bearer ${key.secretKey}`, "hellojohn-tenant-id": first.tenantId } });
    const answers = [await call(first.url), await call(second.url), await call(first.url), await call(second.url), await call(first.url)];
    expect(statuses(answers)).toEqual([200, 200, 200, 200, 429]);
    expect(answers[3]?.headers["ratelimit"]).toMatch(/^"admin";r=0;t=/);
  });
});
