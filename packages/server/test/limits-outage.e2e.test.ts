import { Writable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, MasterKey, type HelloJohnServer } from "../src/index.js";
import { send, signIn, type Exchange } from "./loopback-client.js";
import { OwnRedis, uniquePrefix } from "./redis.js";

const PASSWORD = "Passw0rd!!";

/** Polls `check` (bounded) until it holds; the outage is noticed asynchronously. */
async function eventually(check: () => Promise<boolean>, tries = 100): Promise<boolean> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
}

// Our own redis-server on its own port, killed by PID mid-test: the machine's Redis is never touched.
describe("a Redis outage in the middle of serving", () => {
  const redis = new OwnRedis(20_000 + Math.floor(Math.random() * 20_000));
  const logs: string[] = [];
  let server: HelloJohnServer;
  let url: string;
  let tenantId: string;
  let secretKey: string;
  let userId: string;
  const admin = (): Promise<Exchange> => send(`${url}/v1/users/${userId}`, { headers: { authorization: `Bearer ${secretKey}`, "hellojohn-tenant-id": tenantId } });
  const health = async (): Promise<unknown> => (await send(`${url}/health`)).body;

  beforeAll(async () => {
    await redis.start();
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs.push(chunk.toString());
        done();
      },
    });
    server = await createServer({
      masterKey: MasterKey.generate(),
      passwordHashing: "unsafe-test-only",
      redisUrl: redis.url,
      redisKeyPrefix: uniquePrefix("outage"),
      logger: { level: "info", stream },
      limits: {
        signInPerAccountAndIp: { attempts: 3, windowSeconds: 60, blockSeconds: 30, maxBlockSeconds: 60 },
        adminApi: { requests: 5, windowSeconds: 60 },
      },
    });
    url = await server.listen();
    const tenant = await server.tenants.createTenant("Outage");
    tenantId = tenant.id;
    secretKey = (await server.tenants.createApiKey(tenantId)).secretKey;
    const created = await send(`${url}/v1/users`, {
      body: { email: "outage@example.com", password: PASSWORD },
      headers: { authorization: `Bearer ${secretKey}`, "hellojohn-tenant-id": tenantId },
    });
    userId = String(created.body.id);
  });
  afterAll(async () => {
    await server?.close();
    await redis.stop();
  });

  it("keeps serving without a 5xx: admin calls fail open, sign-in limits fall back to memory, and the log and /health say so", async () => {
    expect(await health()).toEqual({ status: "ok", limits: { store: "redis", redis: "connected" } });
    const before = await admin();
    expect(before.status).toBe(200);
    expect(before.headers["ratelimit"]).toMatch(/^"admin";r=3;/);
    expect((await signIn(url, tenantId, "outage@example.com", "wrong-password")).status).toBe(401);

    await redis.stop();
    expect(await eventually(async () => JSON.stringify(await health()) === JSON.stringify({ status: "ok", limits: { store: "memory", redis: "unavailable" } }))).toBe(true);

    // Past the admin budget of 5, every call is served: the limiter's outage is not the API's.
    const during: Exchange[] = [];
    for (let i = 0; i < 12; i++) during.push(await admin());
    expect(during.map((e) => e.status)).toEqual(Array(12).fill(200));
    expect(during[0]?.headers["ratelimit"]).toBeUndefined();

    // Sign-in stays strict, counted in this instance's memory from the outage on.
    const attempts: number[] = [];
    for (let i = 0; i < 4; i++) attempts.push((await signIn(url, tenantId, "outage@example.com", "wrong-password")).status);
    expect(attempts).toEqual([401, 401, 401, 429]);
    expect((await signIn(url, tenantId, "outage@example.com", PASSWORD, "127.0.0.2")).status).toBe(200);
    expect(logs.join("")).toContain("Redis is unreachable");

    await redis.start();
    expect(await eventually(async () => JSON.stringify(await health()) === JSON.stringify({ status: "ok", limits: { store: "redis", redis: "connected" } }))).toBe(true);
    expect(logs.join("")).toContain("Redis is reachable again");
    const after = await admin();
    expect(after.status).toBe(200);
    expect(after.headers["ratelimit"]).toMatch(/^"admin";r=4;/);
  });
});
