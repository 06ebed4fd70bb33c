import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, PASSWORD, signInReadmeUsers, type ReadmeSessions } from "./framework-sessions.js";
import { writeReadmeModule } from "./readme-programs.js";
import { settledDelivery } from "./webhook-delivery.js";

const HERE = fileURLToPath(new URL("..", import.meta.url));
const README = "packages/fastify/README.md";
const LISTEN = "await app.listen(";

/**
 * The README's blocks in order, as one app: Fastify refuses routes and plugins
 * once it listens, and the README declares them all before `app.listen()`, so
 * the first block's `listen` line runs after the last block. The app is
 * exported for the test to read its address and close it.
 */
function listenAfterEveryBlock(source: string): string {
  const lines = source.split("\n");
  const listen = lines.filter((line) => line.startsWith(LISTEN));
  if (listen.length !== 1) throw new Error(`${README} must start its app with one \`${LISTEN}…\` line, found ${listen.length}`);
  const rest = lines.filter((line) => !line.startsWith(LISTEN) && line !== "export {};");
  return [...rest, ...listen, "export { app };", ""].join("\n");
}

/**
 * The Fastify README's app, its text as the source: every route and plugin
 * the README shows, registered in one Fastify app started on 127.0.0.1 port 0
 * (`PORT=0`) against a real HelloJohn test server, exercised over HTTP with
 * real tokens, then closed.
 */
describe("the Fastify README's app", () => {
  const saved = { ...process.env };
  let hj: TestServer;
  let sessions: ReadmeSessions;
  let app: FastifyInstance;
  let base: string;
  let endpointId: string;

  beforeAll(async () => {
    hj = await startTestServer();
    sessions = await signInReadmeUsers(hj);
    // The README's webhook plugin reads its secret when registered: the endpoint exists first, its URL follows the port.
    const endpoint = await hj.client.webhooks.endpoints.create({ url: "http://127.0.0.1:9/webhooks/hellojohn", events: ["user.created"] });
    endpointId = endpoint.id;
    Object.assign(process.env, hj.env, { PORT: "0", HELLOJOHN_WEBHOOK_SECRET: endpoint.secret });

    const file = writeReadmeModule(README, join(HERE, ".generated-fastify"), listenAfterEveryBlock);
    ({ app } = (await import(file)) as { app: FastifyInstance });
    const address = app.addresses().find((a): a is AddressInfo => typeof a !== "string" && a.address === "127.0.0.1");
    if (address === undefined) throw new Error(`the README's app does not listen on 127.0.0.1: ${JSON.stringify(app.addresses())}`);
    base = `http://127.0.0.1:${address.port}`;
    await hj.client.webhooks.endpoints.update(endpointId, { url: `${base}/webhooks/hellojohn` });
  });

  afterAll(async () => {
    process.env = saved;
    await app?.close();
    await hj?.close();
  });

  it("refuses /me without a session and serves the session's user through request.hj", async () => {
    expect(await call(`${base}/me`)).toEqual({ status: 401, body: { error: expect.objectContaining({ code: "unauthenticated" }) } });
    expect(await call(`${base}/me`, "not-a-token")).toMatchObject({ status: 401, body: { error: { code: expect.stringMatching(/^token_/) } } });
    expect(await call(`${base}/me`, sessions.jane.token)).toMatchObject({ status: 200, body: { id: sessions.jane.userId, email: "jane@example.com" } });
  });

  it("answers /stats from fastify.hj, without a session", async () => {
    expect(await call(`${base}/stats`)).toEqual({ status: 200, body: { users: 2 } });
  });

  it("keeps an SDK 404 a 404 in JSON, through the README's error handler", async () => {
    expect(await call(`${base}/me`, sessions.deletedUser)).toMatchObject({
      status: 404,
      body: { error: { type: "not_found_error", code: "user_not_found" } },
    });
  });

  it("requires the audience and authorized party of /api/orders", async () => {
    expect(await call(`${base}/api/orders`, sessions.forOrdersApi)).toEqual({ status: 200, body: { userId: sessions.jane.userId } });
    expect(await call(`${base}/api/orders`, sessions.jane.token)).toMatchObject({ status: 401, body: { error: { code: "token_invalid_audience" } } });
    expect(await call(`${base}/api/orders`, sessions.fromOtherOrigin)).toMatchObject({
      status: 401,
      body: { error: { code: "token_invalid_authorized_party" } },
    });
  });

  it("lists users under /admin, and refuses a revoked session there", async () => {
    expect(await call(`${base}/admin/users`)).toMatchObject({ status: 401 });
    const listed = await call(`${base}/admin/users`, sessions.jane.token);
    expect(listed).toMatchObject({ status: 200, body: { total: 2, users: expect.arrayContaining([expect.objectContaining({ email: "jane@example.com" })]) } });
    const other = await hj.client.sessions.signInWithPassword({ email: "max@example.com", password: PASSWORD });
    await hj.client.users.revokeSession(sessions.maxId, other.sessionId);
    expect(await call(`${base}/admin/users`, other.accessToken)).toMatchObject({ status: 401, body: { error: { code: "token_revoked" } } });
    expect(await call(`${base}/me`, other.accessToken)).toMatchObject({ status: 200 }); // /me does not ask whether it was revoked
  });

  it("checks the organization role of /org/members and reports it on /dashboard", async () => {
    expect(await call(`${base}/org/members`)).toMatchObject({ status: 401 });
    expect(await call(`${base}/org/members`, sessions.maxAsMember)).toMatchObject({ status: 403, body: { error: { code: "insufficient_role" } } });
    expect(await call(`${base}/org/members`, sessions.jane.token)).toMatchObject({ status: 403 });
    expect(await call(`${base}/org/members`, sessions.janeAsAdmin)).toMatchObject({ status: 200, body: { total: 2, memberships: expect.any(Array) } });
    expect(await call(`${base}/dashboard`, sessions.janeAsAdmin)).toEqual({ status: 200, body: { canManage: true } });
    expect(await call(`${base}/dashboard`, sessions.maxAsMember)).toEqual({ status: 200, body: { canManage: false } });
    expect(await call(`${base}/dashboard`)).toMatchObject({ status: 401 });
  });

  it("receives HelloJohn's real webhook, and refuses an unsigned one", async () => {
    const unsigned = await call(`${base}/webhooks/hellojohn`, undefined, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(unsigned).toMatchObject({ status: 400, body: { error: { code: expect.any(String) } } });
    await hj.client.users.create({ email: "new@example.com" });
    const delivery = await settledDelivery(hj.client, endpointId, "user.created");
    expect([delivery.status, delivery.attempts.map((attempt) => attempt.statusCode)]).toEqual(["succeeded", [204]]);
  });

  it("closes cleanly", async () => {
    await app.close();
    await expect(fetch(`${base}/stats`)).rejects.toThrow();
  });
});
