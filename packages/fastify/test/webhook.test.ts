import Fastify from "fastify";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import { hellojohnWebhook, type HelloJohnEvent } from "../src/index.js";

let hj: TestServer;
beforeAll(async () => {
  hj = await startTestServer({ webhooks: { retrySchedule: [0, 50, 50], pollIntervalMs: 50 } });
});
afterAll(() => hj.close());

it("receives verified, typed events on its own route while other routes keep parsing JSON", async () => {
  const received: HelloJohnEvent[] = [];
  // The app's port is known only once it listens: the endpoint starts on a placeholder URL.
  const endpoint = await hj.client.webhooks.endpoints.create({ url: "http://127.0.0.1:9/placeholder", events: ["user.created"] });
  const app = Fastify();
  app.post("/echo", async (request) => request.body);
  await app.register(hellojohnWebhook, { path: "/webhooks/hellojohn", secret: endpoint.secret, onEvent: (event) => void received.push(event) });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${address.port}`;
  try {
    expect(await (await fetch(`${url}/echo`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"a":1}' })).json()).toEqual({ a: 1 });
    await hj.client.webhooks.endpoints.update(endpoint.id, { url: `${url}/webhooks/hellojohn` });
    const user = await hj.client.users.create({ email: "fastify-webhook@example.com" });
    for (let i = 0; i < 1000 && received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(received).toEqual([expect.objectContaining({ type: "user.created", data: expect.objectContaining({ id: user.id, email: user.email }) })]);
    const forged = await fetch(`${url}/webhooks/hellojohn`, {
      method: "POST",
      headers: { "content-type": "application/json", "webhook-id": "evt_x", "webhook-timestamp": "1", "webhook-signature": "v1,AAAA" },
      body: "{}",
    });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: "stale_timestamp" } });
  } finally {
    await app.close();
  }
});
