import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import express5 from "express";
import express4 from "express4";
import type { Express } from "express";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hellojohnWebhook, type HelloJohnEvent } from "../src/index.js";

let hj: TestServer;
const servers: Server[] = [];
beforeAll(async () => {
  hj = await startTestServer({ webhooks: { retrySchedule: [0, 50, 50], pollIntervalMs: 50 } });
});
afterAll(async () => {
  for (const server of servers) server.closeAllConnections(), server.close();
  await hj.close();
});

async function listen(app: Express): Promise<string> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !done(); i++) await new Promise((r) => setTimeout(r, 20));
}

describe.each([
  ["Express 5", express5 as unknown as typeof express5],
  ["Express 4", express4 as unknown as typeof express5],
] as const)("hellojohnWebhook on %s", (_name, express) => {
  it("receives verified, typed events with express.raw or with no body parser, and refuses forged ones", async () => {
    const received: HelloJohnEvent[] = [];
    // The app's port is known only once it listens: the endpoints start on a placeholder URL.
    const placeholder = { url: "http://127.0.0.1:9/placeholder", events: ["organization.created" as const] };
    const raw = await hj.client.webhooks.endpoints.create(placeholder);
    const unparsed = await hj.client.webhooks.endpoints.create(placeholder);
    const app = express();
    app.post("/raw", express.raw({ type: "application/json" }), hellojohnWebhook({ secret: raw.secret, onEvent: (event) => void received.push(event) }));
    app.post("/unparsed", hellojohnWebhook({ secret: unparsed.secret, onEvent: (event) => void received.push(event) }));
    app.post("/parsed", express.json(), hellojohnWebhook({ secret: raw.secret, onEvent: () => undefined }));
    const url = await listen(app);
    await hj.client.webhooks.endpoints.update(unparsed.id, { disabled: true });

    for (const [path, endpoint, other] of [
      ["/raw", raw, unparsed],
      ["/unparsed", unparsed, raw],
    ] as const) {
      await hj.client.webhooks.endpoints.update(endpoint.id, { url: `${url}${path}`, disabled: false });
      await hj.client.webhooks.endpoints.update(other.id, { disabled: true });
      const org = await hj.client.organizations.create({ name: `Via ${path}` });
      await until(() => received.some((e) => e.type === "organization.created" && e.data.id === org.id));
      expect(received.at(-1)).toMatchObject({ type: "organization.created", data: { id: org.id, name: `Via ${path}` } });
      // The attempt is recorded once the app has answered.
      let delivery = (await hj.client.webhooks.endpoints.listDeliveries(endpoint.id)).deliveries[0];
      for (let i = 0; i < 500 && delivery?.status !== "succeeded"; i++) {
        await new Promise((r) => setTimeout(r, 20));
        delivery = (await hj.client.webhooks.endpoints.listDeliveries(endpoint.id)).deliveries[0];
      }
      expect(delivery?.attempts[0]?.statusCode).toBe(204);
    }

    const forged = await fetch(`${url}/raw`, {
      method: "POST",
      headers: { "content-type": "application/json", "webhook-id": "evt_x", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" },
      body: "{}",
    });
    expect(forged.status).toBe(400);
    expect(await forged.json()).toMatchObject({ error: { code: "invalid_signature" } });
    const parsed = await fetch(`${url}/parsed`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    expect(parsed.status).toBe(500);
    expect(await parsed.json()).toMatchObject({ error: { code: "raw_body_missing" } });
  });
});

it("refuses a missing secret when the route is set up", () => {
  expect(() => hellojohnWebhook({ secret: "", onEvent: () => undefined })).toThrow(/secret/);
});
