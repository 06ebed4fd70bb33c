import "reflect-metadata";
import { Controller, Get, Inject, Injectable, Module, Param, UseGuards, type INestApplication } from "@nestjs/common";
import { APP_FILTER, APP_GUARD } from "@nestjs/core";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import { Test } from "@nestjs/testing";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HELLOJOHN_OPTIONS,
  HelloJohn,
  HelloJohnErrorFilter,
  HelloJohnGuard,
  HelloJohnModule,
  InjectHelloJohn,
  OrganizationsService,
  Public,
  Roles,
  UsersService,
  VerifiedSession,
  type HelloJohnModuleOptions,
  type VerifiedToken,
} from "../src/index.js";

const PASSWORD = "TemporaryPass123!";
let hj: TestServer;
let token: string;
let userId: string;

async function signIn(email: string): Promise<string> {
  return (await hj.client.sessions.signInWithPassword({ email, password: PASSWORD })).accessToken;
}

beforeAll(async () => {
  hj = await startTestServer();
  userId = (await hj.client.users.create({ email: "nest@example.com", password: PASSWORD, firstName: "Nest" })).id;
  token = await signIn("nest@example.com");
});
afterAll(() => hj.close());

@Controller()
class ProbeController {
  constructor(
    @Inject(UsersService) private readonly users: UsersService,
    @Inject(OrganizationsService) private readonly organizations: OrganizationsService,
    @InjectHelloJohn() private readonly client: HelloJohn,
  ) {}

  @Public()
  @Get("health")
  health() {
    return { ok: true, sameClient: this.client.users === (this.users as unknown) };
  }

  @Get("me")
  async me(@VerifiedSession() session: VerifiedToken) {
    return this.users.get(session.userId);
  }

  @Public()
  @Get("users/:id")
  user(@Param("id") id: string) {
    return this.users.get(id);
  }

  @Public()
  @Get("orgs")
  async orgs() {
    return { total: (await this.organizations.list()).total };
  }
}

@Controller("guarded")
@UseGuards(HelloJohnGuard)
class GuardedController {
  @Get()
  who(@VerifiedSession() session: VerifiedToken) {
    return { userId: session.userId };
  }
}

@Controller("org")
@Roles("admin")
class RolesController {
  @Get("settings")
  settings(@VerifiedSession() session: VerifiedToken) {
    return { orgId: session.orgId, orgRole: session.orgRole, admin: session.has({ role: "admin" }) };
  }

  // A route's own @Roles() replaces the controller's.
  @Roles("member", "admin")
  @Get("dashboard")
  dashboard() {
    return { ok: true };
  }
}

// One handler reached through two controllers: the guard must judge each by its own controller's decorators.
class ReportsBase {
  @Get("report")
  report() {
    return { ok: true };
  }
}
@Controller("public-reports")
@Public()
class PublicReportsController extends ReportsBase {}
@Controller("admin-reports")
@Roles("admin")
class AdminReportsController extends ReportsBase {}

const moduleOptions = (): HelloJohnModuleOptions => ({ tenantId: hj.tenantId, secretKey: hj.secretKey, baseUrl: hj.url, cookieName: "hj" });

async function start(platform: "express" | "fastify", imports: unknown[], globalGuard: boolean): Promise<{ app: INestApplication; url: string }> {
  const moduleRef = await Test.createTestingModule({
    imports: imports as never[],
    controllers: [ProbeController, GuardedController, RolesController, PublicReportsController, AdminReportsController],
    providers: [{ provide: APP_FILTER, useClass: HelloJohnErrorFilter }, ...(globalGuard ? [{ provide: APP_GUARD, useExisting: HelloJohnGuard }] : [])],
  }).compile();
  const app = platform === "fastify" ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter()) : moduleRef.createNestApplication();
  await app.listen(0, "127.0.0.1");
  return { app, url: (await app.getUrl()).replace("[::1]", "127.0.0.1") };
}

describe.each(["express", "fastify"] as const)("HelloJohnModule on the %s platform", (platform) => {
  let app: INestApplication;
  let url: string;
  beforeAll(async () => {
    ({ app, url } = await start(platform, [HelloJohnModule.forRoot({ ...moduleOptions(), isGlobal: true })], true));
  });
  afterAll(() => app.close());

  it("injects UsersService, OrganizationsService and the shared client", async () => {
    expect(await (await fetch(`${url}/health`)).json()).toEqual({ ok: true, sameClient: true });
    expect(await (await fetch(`${url}/users/${userId}`)).json()).toMatchObject({ id: userId, email: "nest@example.com" });
    expect(await (await fetch(`${url}/orgs`)).json()).toEqual({ total: 0 });
  });

  it("HelloJohnErrorFilter answers SDK errors with HelloJohn's status and body", async () => {
    const missing = await fetch(`${url}/users/usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "user_not_found", requestId: expect.stringMatching(/^req_/) } });
    const malformed = await fetch(`${url}/users/nope`);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "invalid_id", param: "user_id" } }); // spelled as the API spells it
  });

  it("the global guard answers 401 JSON without a session, and hands the verified session to handlers", async () => {
    const none = await fetch(`${url}/me`);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: { type: "authentication_error", code: "unauthenticated", message: expect.any(String) } });
    const bad = await fetch(`${url}/me`, { headers: { authorization: "Bearer x.y.z" } });
    expect(await bad.json()).toMatchObject({ error: { code: "token_malformed" } });
    const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await me.json()).toMatchObject({ id: userId });
    const viaCookie = await fetch(`${url}/guarded`, { headers: { cookie: `hj=${token}` } });
    expect(await viaCookie.json()).toEqual({ userId });
  });
});

describe.each(["express", "fastify"] as const)("HelloJohn failing, on the %s platform", (platform) => {
  it("keeps @Public() routes answering while HelloJohn is unreachable; the guard answers 503 JSON with Retry-After", async () => {
    const unreachable = { ...moduleOptions(), baseUrl: "http://127.0.0.1:9", maxRetries: 0, logLevel: "off" as const };
    const { app, url } = await start(platform, [HelloJohnModule.forRoot({ ...unreachable, isGlobal: true })], true);
    try {
      const headers = { authorization: `Bearer ${token}` };
      expect((await fetch(`${url}/health`, { headers })).status).toBe(200);
      const guarded = await fetch(`${url}/guarded`, { headers });
      expect(guarded.status).toBe(503);
      expect(guarded.headers.get("retry-after")).toBe("5");
      expect(guarded.headers.get("content-type")).toMatch(/application\/json/);
      expect(await guarded.json()).toEqual({ error: { type: "api_error", code: "service_unavailable", message: expect.any(String) } });
    } finally {
      await app.close();
    }
  });

  it("HelloJohnErrorFilter answers HelloJohn refusing the app's own key with a generic 500", async () => {
    const { keyId, secretKey } = await hj.server.tenants.createApiKey(hj.tenantId, `revoked-nest-${platform}`);
    await hj.server.tenants.revokeApiKey(hj.tenantId, keyId);
    const { app, url } = await start(platform, [HelloJohnModule.forRoot({ ...moduleOptions(), secretKey, isGlobal: true })], false);
    app.useLogger(false);
    try {
      const refused = await fetch(`${url}/users/${userId}`);
      expect(refused.status).toBe(500);
      expect(await refused.json()).toEqual({ error: { type: "api_error", code: "internal_error", message: "Internal server error", requestId: expect.any(String) } });
    } finally {
      await app.close();
    }
  });
});

describe("HelloJohnModule.forRootAsync", () => {
  @Injectable()
  class OptionsFactory {
    createHelloJohnOptions(): HelloJohnModuleOptions {
      return { ...moduleOptions(), checkRevoked: true };
    }
  }

  @Module({ providers: [OptionsFactory], exports: [OptionsFactory] })
  class ConfigModule {}

  it.each([
    ["useFactory", () => HelloJohnModule.forRootAsync({ useFactory: () => moduleOptions() })],
    [
      "useFactory with imports and inject",
      () => HelloJohnModule.forRootAsync({ imports: [ConfigModule], inject: [OptionsFactory], useFactory: (f: OptionsFactory) => f.createHelloJohnOptions() }),
    ],
    ["useClass", () => HelloJohnModule.forRootAsync({ useClass: OptionsFactory })],
    ["useExisting", () => HelloJohnModule.forRootAsync({ imports: [ConfigModule], useExisting: OptionsFactory })],
  ])("builds the client with %s", async (_kind, make) => {
    const moduleRef = await Test.createTestingModule({ imports: [make()] }).compile();
    const users = moduleRef.get<UsersService>(UsersService);
    expect((await users.get(userId)).email).toBe("nest@example.com");
    expect(moduleRef.get(HelloJohn).tenantId).toBe(hj.tenantId);
    await moduleRef.close();
  });

  it("enforces checkRevoked from async options", async () => {
    const email = "nest-revoked@example.com";
    const user = await hj.client.users.create({ email, password: PASSWORD });
    const own = await signIn(email);
    const { app, url } = await start("express", [HelloJohnModule.forRootAsync({ isGlobal: true, useClass: OptionsFactory })], false);
    try {
      expect((await fetch(`${url}/guarded`, { headers: { authorization: `Bearer ${own}` } })).status).toBe(200);
      await hj.client.users.disable(user.id);
      const refused = await fetch(`${url}/guarded`, { headers: { authorization: `Bearer ${own}` } });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toMatchObject({ error: { code: "token_revoked" } });
    } finally {
      await app.close();
    }
  });

  it("makes the guard enforce audience and authorized parties, also with a given client", async () => {
    const forApi = async (authorizedParty: string) =>
      (await hj.client.sessions.signInWithPassword({ email: "nest@example.com", password: PASSWORD, audience: "https://api.example.com", authorizedParty })).accessToken;
    const { app, url } = await start(
      "fastify",
      [HelloJohnModule.forRoot({ client: hj.client, audience: "https://api.example.com", authorizedParties: ["https://app.example.com"] })],
      false,
    );
    try {
      const get = (bearer: string) => fetch(`${url}/guarded`, { headers: { authorization: `Bearer ${bearer}` } });
      expect(await (await get(await forApi("https://app.example.com"))).json()).toEqual({ userId });
      const noAudience = await get(token);
      expect(noAudience.status).toBe(401);
      expect(await noAudience.json()).toMatchObject({ error: { code: "token_invalid_audience" } });
      expect(await (await get(await forApi("https://evil.example"))).json()).toMatchObject({ error: { code: "token_invalid_authorized_party" } });
    } finally {
      await app.close();
    }
  });

  it("lets tests override the named options token", async () => {
    const moduleRef = await Test.createTestingModule({ imports: [HelloJohnModule.forRoot({ tenantId: "ten_01J9Z3K4M5N6P7Q8R9S0T1V2W9", secretKey: hj.secretKey })] })
      .overrideProvider(HELLOJOHN_OPTIONS)
      .useValue(moduleOptions())
      .compile();
    expect(moduleRef.get(HelloJohn).tenantId).toBe(hj.tenantId);
    await moduleRef.close();
  });

  it("fails at startup on an unknown option, suggesting the closest one", async () => {
    const typo = HelloJohnModule.forRootAsync({ useFactory: () => ({ ...moduleOptions(), checkRevokd: true }) as HelloJohnModuleOptions });
    await expect(Test.createTestingModule({ imports: [typo] }).compile()).rejects.toThrow('HelloJohnModule has no option "checkRevokd"; did you mean "checkRevoked"?');
    const extras = HelloJohnModule.forRoot({ ...moduleOptions(), isGlobal: true });
    await (await Test.createTestingModule({ imports: [extras] }).compile()).close();
  });

  it("fails at startup with an error naming a missing option", async () => {
    const saved = { ...process.env };
    try {
      delete process.env.HELLOJOHN_TENANT_ID;
      await expect(Test.createTestingModule({ imports: [HelloJohnModule.forRoot({ secretKey: hj.secretKey })] }).compile()).rejects.toThrow(/HELLOJOHN_TENANT_ID/);
    } finally {
      process.env = saved;
    }
  });
});

describe.each(["express", "fastify"] as const)("@Roles() on the %s platform", (platform) => {
  let app: INestApplication;
  let url: string;
  let orgId: string;
  const tokens: Record<"admin" | "member" | "noOrg", string> = { admin: "", member: "", noOrg: "" };
  beforeAll(async () => {
    ({ app, url } = await start(platform, [HelloJohnModule.forRoot({ ...moduleOptions(), isGlobal: true })], true));
    orgId = (await hj.client.organizations.create({ name: `Nest roles ${platform}` })).id;
    for (const role of ["admin", "member"] as const) {
      const email = `nest-${role}-${platform}@example.com`;
      const user = await hj.client.users.create({ email, password: PASSWORD });
      // Through the injected OrganizationsService: added as a member, then promoted.
      const organizations = app.get<OrganizationsService>(OrganizationsService);
      await organizations.addMember(orgId, { userId: user.id });
      if (role === "admin") expect(await organizations.updateMember(orgId, user.id, { role: "admin" })).toMatchObject({ role: "admin" });
      tokens[role] = (await hj.client.sessions.signInWithPassword({ email, password: PASSWORD, organizationId: orgId })).accessToken;
    }
    tokens.noOrg = token;
  });
  afterAll(() => app.close());
  const get = async (path: string, bearer?: string) => {
    const response = await fetch(`${url}${path}`, { headers: bearer === undefined ? {} : { authorization: `Bearer ${bearer}` } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it("admits the role, answers 403 insufficient_role to other sessions and 401 without one", async () => {
    expect(await get("/org/settings", tokens.admin)).toEqual({ status: 200, body: { orgId, orgRole: "admin", admin: true } });
    for (const other of [tokens.member, tokens.noOrg]) {
      expect(await get("/org/settings", other)).toEqual({
        status: 403,
        body: { error: { type: "permission_error", code: "insufficient_role", message: expect.stringContaining('"admin"') } },
      });
    }
    expect(await get("/org/settings")).toMatchObject({ status: 401, body: { error: { code: "unauthenticated" } } });
  });

  it("lets a route's @Roles() replace the controller's", async () => {
    expect(await get("/org/dashboard", tokens.member)).toEqual({ status: 200, body: { ok: true } });
    expect(await get("/org/dashboard", tokens.noOrg)).toMatchObject({ status: 403 });
  });

  it("judges an inherited route by the controller it is reached through", async () => {
    // Alternating, so that whatever the guard remembers of the shared handler is tested both ways.
    for (let i = 0; i < 2; i++) {
      expect(await get("/public-reports/report")).toEqual({ status: 200, body: { ok: true } });
      expect(await get("/admin-reports/report")).toMatchObject({ status: 401 });
      expect(await get("/admin-reports/report", tokens.member)).toMatchObject({ status: 403, body: { error: { code: "insufficient_role" } } });
      expect(await get("/admin-reports/report", tokens.admin)).toEqual({ status: 200, body: { ok: true } });
    }
  });
});

describe("@Roles()", () => {
  it("refuses an empty role name when applied", () => {
    expect(() => Roles("")).toThrow(/@Roles\(\)/);
  });
});
