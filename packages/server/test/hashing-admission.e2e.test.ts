import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, MasterKey, type HelloJohnServer } from "../src/index.js";
import { send, signIn } from "./loopback-client.js";

const PASSWORD = "Passw0rd!!";

// Real Argon2id at OWASP's cost, one computation at a time and two waiting.
describe("password hashing admission control", () => {
  let server: HelloJohnServer;
  let url: string;
  let tenantId: string;
  let auth: Record<string, string>;
  let userId: string;

  beforeAll(async () => {
    server = await createServer({ masterKey: MasterKey.generate(), limits: { preset: "development", hashing: { concurrency: 1, queue: 2 } } });
    url = await server.listen();
    tenantId = (await server.tenants.createTenant("Busy")).id;
    auth = { authorization: `Bearer ${(await server.tenants.createApiKey(tenantId)).secretKey}`, "hellojohn-tenant-id": tenantId };
    userId = String((await send(`${url}/v1/users`, { body: { email: "busy@example.com", password: PASSWORD }, headers: auth })).body.id);
  });
  afterAll(async () => {
    await server?.close();
  });

  it("answers 503 with Retry-After at once past the queue, while admin calls never wait behind hashing", async () => {
    const [signIns, adminCalls] = await Promise.all([
      Promise.all(Array.from({ length: 40 }, () => signIn(url, tenantId, "busy@example.com", PASSWORD))),
      Promise.all(Array.from({ length: 20 }, () => send(`${url}/v1/users/${userId}`, { headers: auth }))),
    ]);
    const busy = signIns.filter((e) => e.status === 503);
    expect(signIns.filter((e) => e.status !== 200 && e.status !== 503)).toEqual([]);
    expect(busy.length).toBeGreaterThan(0);
    expect(signIns.some((e) => e.status === 200)).toBe(true);
    expect(busy[0]?.headers["retry-after"]).toBe("1");
    expect(busy[0]?.body.error).toMatchObject({ type: "api_error", code: "server_busy" });
    expect(adminCalls.map((e) => e.status)).toEqual(Array(20).fill(200));
    const stats = server.limits.hashing();
    expect(stats.rejected).toBe(busy.length);
    expect(stats).toMatchObject({ running: 0, queued: 0 });
  });
});
