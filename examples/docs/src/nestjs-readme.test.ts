import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type INestApplication, Module, type Type } from "@nestjs/common";
import { NestFactory } from "@nestjs/core";
import { UsersService } from "@hellojohn/nestjs";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, signInReadmeUsers, type ReadmeSessions } from "./framework-sessions.js";
import { writeReadmeModule } from "./readme-programs.js";
import { settledDelivery } from "./webhook-delivery.js";

const HERE = fileURLToPath(new URL("..", import.meta.url));

/** What the NestJS README declares and exports, read from its text. */
interface NestReadme {
  AppModule: Type;
  ConfiguredAppModule: Type;
  OrgController: Type;
  WebhooksController: Type<{ readonly customers: Map<string, string> }>;
}

/**
 * The NestJS README's module and controllers, its text as the source, run
 * with TypeScript's decorators but no decorator metadata (as under tsx or
 * esbuild): the README names every injection token with `@Inject`. Its
 * `AppModule` is the app, with the README's `OrgController` and
 * `WebhooksController` added to it and `{ rawBody: true }` as its `main.ts`
 * comment says; it listens on 127.0.0.1 port 0 against a real HelloJohn test
 * server, is exercised over HTTP with real tokens, then closed.
 */
describe("the NestJS README's app", () => {
  const saved = { ...process.env };
  let hj: TestServer;
  let sessions: ReadmeSessions;
  let readme: NestReadme;
  let app: INestApplication;
  let base: string;
  let endpointId: string;

  beforeAll(async () => {
    hj = await startTestServer();
    sessions = await signInReadmeUsers(hj);
    // The README's webhook route reads its secret per request; the endpoint's URL follows the app's port.
    const endpoint = await hj.client.webhooks.endpoints.create({ url: "http://127.0.0.1:9/webhooks/hellojohn", events: ["user.created"] });
    endpointId = endpoint.id;
    Object.assign(process.env, hj.env, { HELLOJOHN_WEBHOOK_SECRET: endpoint.secret });

    readme = (await import(writeReadmeModule("packages/nestjs/README.md", join(HERE, ".generated-nestjs")))) as NestReadme;
    class ReadmeApp {}
    Module({ imports: [readme.AppModule], controllers: [readme.OrgController, readme.WebhooksController] })(ReadmeApp);
    app = await NestFactory.create(ReadmeApp, { rawBody: true, logger: false });
    await app.listen(0, "127.0.0.1");
    base = (await app.getUrl()).replace("[::1]", "127.0.0.1");
    await hj.client.webhooks.endpoints.update(endpointId, { url: `${base}/webhooks/hellojohn` });
  });

  afterAll(async () => {
    process.env = saved;
    await app?.close();
    await hj?.close();
  });

  it("guards every route globally, and serves @Public() health without a session", async () => {
    expect(await call(`${base}/health`)).toEqual({ status: 200, body: "ok" });
    expect(await call(`${base}/me`)).toMatchObject({ status: 401, body: { error: { code: "unauthenticated" } } });
    expect(await call(`${base}/me`, "not-a-token")).toMatchObject({ status: 401, body: { error: { code: expect.stringMatching(/^token_/) } } });
  });

  it("hands the verified session to the injected UsersService", async () => {
    expect(await call(`${base}/me`, sessions.jane.token)).toMatchObject({ status: 200, body: { id: sessions.jane.userId, email: "jane@example.com" } });
  });

  it("keeps an SDK 404 a 404 in JSON, through HelloJohnErrorFilter", async () => {
    expect(await call(`${base}/me`, sessions.deletedUser)).toMatchObject({
      status: 404,
      body: { error: { type: "not_found_error", code: "user_not_found" } },
    });
  });

  it("requires the controller's role on /org/members, and the route's on /org/dashboard", async () => {
    expect(await call(`${base}/org/members`)).toMatchObject({ status: 401 });
    expect(await call(`${base}/org/members`, sessions.maxAsMember)).toMatchObject({ status: 403, body: { error: { type: "permission_error", code: "insufficient_role" } } });
    expect(await call(`${base}/org/members`, sessions.jane.token)).toMatchObject({ status: 403 });
    expect(await call(`${base}/org/members`, sessions.janeAsAdmin)).toMatchObject({ status: 200, body: { total: 2, memberships: expect.any(Array) } });
    expect(await call(`${base}/org/dashboard`, sessions.janeAsAdmin)).toEqual({ status: 200, body: { canManage: true } });
    expect(await call(`${base}/org/dashboard`, sessions.maxAsMember)).toEqual({ status: 200, body: { canManage: false } });
    expect(await call(`${base}/org/dashboard`, sessions.jane.token)).toMatchObject({ status: 403 });
  });

  it("receives HelloJohn's real webhook on its @Public() route, and refuses an unsigned one", async () => {
    const unsigned = await call(`${base}/webhooks/hellojohn`, undefined, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(unsigned).toMatchObject({ status: 400, body: { error: { code: expect.any(String) } } });
    const created = await hj.client.users.create({ email: "new@example.com" });
    const delivery = await settledDelivery(hj.client, endpointId, "user.created");
    expect([delivery.status, delivery.attempts.map((attempt) => attempt.statusCode)]).toEqual(["succeeded", [204]]);
    expect(app.get(readme.WebhooksController).customers.get(created.id)).toBe("new@example.com");
  });

  it("closes cleanly", async () => {
    await app.close();
    await expect(fetch(`${base}/health`)).rejects.toThrow();
  });

  it("starts ConfiguredAppModule from @nestjs/config, its UsersService listing users", async () => {
    process.env.HJ_TENANT_ID = hj.tenantId;
    process.env.HJ_SECRET_KEY = hj.secretKey;
    const context = await NestFactory.createApplicationContext(readme.ConfiguredAppModule, { logger: false });
    try {
      const page = await context.get(UsersService).list({ search: "jane" });
      expect(page.users.map((user) => user.email)).toEqual(["jane@example.com"]);
    } finally {
      await context.close();
    }
  });
});
