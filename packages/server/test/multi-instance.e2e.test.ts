import { HelloJohn } from "@hellojohn/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, MasterKey, type HelloJohnServer } from "../src/index.js";
import { startTestServer, type TestServer } from "../src/testing.js";
import { backends } from "./backends.js";

const postgres = (await backends()).find((b) => b.name === "postgres");

// Several instances behind one address, as production runs them: one PostgreSQL database, one master key, one public URL.
describe.skipIf(postgres === undefined)("two server instances sharing one PostgreSQL database", () => {
  const masterKey = MasterKey.generate();
  const publicUrl = "https://auth.example.test";
  let databaseUrl: string;
  let first: TestServer;
  let second: HelloJohnServer;
  let viaFirst: HelloJohn;
  let viaSecond: HelloJohn;

  beforeAll(async () => {
    databaseUrl = await (postgres as NonNullable<typeof postgres>).create();
    // Both start (and migrate) at once.
    const [a, b] = await Promise.all([
      startTestServer({ databaseUrl, masterKey, publicUrl }),
      createServer({ databaseUrl, masterKey, publicUrl, passwordHashing: "unsafe-test-only" }),
    ]);
    first = a;
    second = b;
    const secondUrl = await second.listen({ port: 0 });
    // No issuer option: both learn it (publicUrl) from the discovery document.
    const options = { tenantId: first.tenantId, secretKey: first.secretKey };
    viaFirst = new HelloJohn({ ...options, baseUrl: first.url });
    viaSecond = new HelloJohn({ ...options, baseUrl: secondUrl });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
    await postgres?.drop(databaseUrl);
  });

  it("loses no metadata key when concurrent updates land on both instances", async () => {
    const user = await viaFirst.users.create({ email: "shared@example.com", password: "Passw0rd!!" });
    await Promise.all(Array.from({ length: 100 }, (_, i) => (i % 2 === 0 ? viaFirst : viaSecond).users.update(user.id, { metadata: { [`k${i}`]: i } })));
    expect(Object.keys((await viaSecond.users.get(user.id)).metadata)).toHaveLength(100);
  });

  it("accepts one instance's cursors, tokens and idempotency keys on the other", async () => {
    for (let i = 0; i < 3; i++) await viaFirst.users.create({ email: `page${i}@example.com` });
    const page = await viaFirst.users.list({ limit: 2 });
    const next = await viaSecond.users.list({ limit: 2, cursor: page.nextCursor ?? undefined });
    expect(next.users[0]?.id).not.toBe(page.users[1]?.id);

    const session = await viaFirst.sessions.signInWithPassword({ email: "shared@example.com", password: "Passw0rd!!" });
    await expect(viaSecond.verifyToken(session.accessToken, { checkRevoked: true })).resolves.toMatchObject({ sessionId: session.sessionId });

    const created = await viaFirst.users.create({ email: "once@example.com" }, { idempotencyKey: "shared-key" });
    const replayed = await viaSecond.users.create({ email: "once@example.com" }, { idempotencyKey: "shared-key" });
    expect(replayed.id).toBe(created.id);
  });
});
