import "reflect-metadata";
import { Controller, HttpCode, Post, Req, type INestApplication } from "@nestjs/common";
import { APP_GUARD } from "@nestjs/core";
import { FastifyAdapter, type NestFastifyApplication } from "@nestjs/platform-fastify";
import { Test } from "@nestjs/testing";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HelloJohnGuard, HelloJohnModule, Public, verifyWebhookRequest, type HelloJohnEvent, type WebhookRequest } from "../src/index.js";

let hj: TestServer;
let secret = "";
const received: HelloJohnEvent[] = [];

beforeAll(async () => {
  hj = await startTestServer({ webhooks: { retrySchedule: [0, 50, 50], pollIntervalMs: 50 } });
});
afterAll(() => hj.close());

@Controller("webhooks")
class WebhookController {
  @Public()
  @Post("hellojohn")
  @HttpCode(204)
  async receive(@Req() request: WebhookRequest): Promise<void> {
    received.push(await verifyWebhookRequest(request, secret));
  }
}

describe.each(["express", "fastify"] as const)("verifyWebhookRequest on the %s platform", (platform) => {
  let app: INestApplication;
  let url: string;
  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [HelloJohnModule.forRoot({ tenantId: hj.tenantId, secretKey: hj.secretKey, baseUrl: hj.url, isGlobal: true })],
      controllers: [WebhookController],
      providers: [{ provide: APP_GUARD, useExisting: HelloJohnGuard }],
    }).compile();
    app =
      platform === "fastify"
        ? moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { rawBody: true })
        : moduleRef.createNestApplication({ rawBody: true });
    await app.listen(0, "127.0.0.1");
    url = (await app.getUrl()).replace("[::1]", "127.0.0.1");
  });
  afterAll(() => app.close());

  it("verifies the raw body behind a global guard and answers 400 to a forged webhook", async () => {
    const endpoint = await hj.client.webhooks.endpoints.create({ url: `${url}/webhooks/hellojohn`, events: ["organization.created"] });
    secret = endpoint.secret;
    const org = await hj.client.organizations.create({ name: `Nest on ${platform}` });
    for (let i = 0; i < 1000 && !received.some((e) => e.data && "id" in e.data && e.data.id === org.id); i++) await new Promise((r) => setTimeout(r, 20));
    expect(received.at(-1)).toMatchObject({ type: "organization.created", data: { id: org.id, name: `Nest on ${platform}` } });
    const forged = await fetch(`${url}/webhooks/hellojohn`, {
      method: "POST",
      headers: { "content-type": "application/json", "webhook-id": "evt_x", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" },
      body: "{}",
    });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: "invalid_signature" } });
    await hj.client.webhooks.endpoints.delete(endpoint.id);
  });
});
