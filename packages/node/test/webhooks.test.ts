import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { WebhookEndpointsPage } from "../src/index.js";
import { email, realServer, testDatabases, type RealServer } from "./real-server.js";

/** A loopback receiver that records what HelloJohn POSTs and answers 200. */
async function receiver(): Promise<{ url: string; received: { headers: IncomingHttpHeaders; body: string }[]; close(): Promise<void> }> {
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(await testDatabases())("hj.webhooks against a real server on $name", (database) => {
  let h: RealServer;
  beforeAll(async () => {
    h = await realServer(database, { webhooks: { retrySchedule: [1], timeoutMs: 2000, pollIntervalMs: 50 } });
  });
  afterAll(async () => {
    await h.close();
  });

  it("manages endpoints: the secret only at creation and rotation, pages, updates and deletes", async () => {
    const endpoint = await h.hj.webhooks.endpoints.create({ url: "https://hooks.example.com/a", events: ["user.created"], description: "A" });
    expect(endpoint).toMatchObject({ url: "https://hooks.example.com/a", events: ["user.created"], description: "A", disabled: false, disabledReason: null });
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(endpoint.createdAt).toBeInstanceOf(Date);
    const fetched = await h.hj.webhooks.endpoints.get(endpoint.id);
    expect(fetched).not.toHaveProperty("secret");
    const { secret: _shownOnce, ...withoutSecret } = endpoint;
    expect(fetched).toEqual(withoutSecret);

    const updated = await h.hj.webhooks.endpoints.update(endpoint.id, { events: ["*"], description: null });
    expect(updated).toMatchObject({ events: ["*"], description: null });
    const rotated = await h.hj.webhooks.endpoints.rotateSecret(endpoint.id);
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(endpoint.secret);

    await h.hj.webhooks.endpoints.create({ url: "https://hooks.example.com/b", events: ["user.deleted"] });
    const page: WebhookEndpointsPage = await h.hj.webhooks.endpoints.list({ limit: 1 });
    expect(Object.keys(page).sort()).toEqual(["endpoints", "nextCursor", "total"]);
    expect(page.total).toBeGreaterThanOrEqual(2);
    expect((await h.hj.webhooks.endpoints.list({ limit: 1 }).toArray()).map((e) => e.id)).toContain(endpoint.id);

    expect(await h.hj.webhooks.endpoints.delete(endpoint.id)).toEqual({ id: endpoint.id, deleted: true });
    await expect(h.hj.webhooks.endpoints.get(endpoint.id)).rejects.toMatchObject({ status: 404 });
  });

  it("refuses an unknown field on create and update, naming it", async () => {
    const endpoint = await h.hj.webhooks.endpoints.create({ url: "https://hooks.example.com/c", events: ["*"] });
    const refusal = (param: string) => ({ name: "ValidationError", code: "unknown_param", param, status: undefined });
    await expect(h.hj.webhooks.endpoints.create({ url: "https://hooks.example.com/d", events: ["*"], secret: "mine" } as never)).rejects.toMatchObject(refusal("secret"));
    await expect(h.hj.webhooks.endpoints.update(endpoint.id, { enabled: true } as never)).rejects.toMatchObject(refusal("enabled"));
  });

  it("delivers a signed event that verify() turns into the typed event, and lists the delivery with its attempt", async () => {
    const hooks = await receiver();
    try {
      const endpoint = await h.hj.webhooks.endpoints.create({ url: hooks.url, events: ["user.created"] });
      const user = await h.hj.users.create({ email: email("hooked") });
      await vi.waitFor(() => expect(hooks.received.some((r) => r.body.includes(user.id))).toBe(true), { timeout: 20_000, interval: 50 });
      const delivery = hooks.received.find((r) => r.body.includes(user.id));
      const event = await h.hj.webhooks.verify(delivery?.body ?? "", delivery?.headers ?? {}, endpoint.secret);
      expect(event).toMatchObject({ type: "user.created", data: { id: user.id, email: user.email } });
      if (event.type === "user.created") expect(event.data.createdAt).toEqual(user.createdAt);
      await expect(h.hj.webhooks.verify(delivery?.body ?? "", delivery?.headers ?? {}, endpoint.secret)).rejects.toMatchObject({ code: "replayed" });

      await vi.waitFor(async () => expect((await h.hj.webhooks.endpoints.listDeliveries(endpoint.id)).deliveries[0]?.status).toBe("succeeded"), { timeout: 20_000, interval: 50 });
      const { deliveries, total } = await h.hj.webhooks.endpoints.listDeliveries(endpoint.id);
      expect(total).toBe(1);
      expect(deliveries[0]).toMatchObject({ endpointId: endpoint.id, eventType: "user.created", attemptCount: 1, nextAttemptAt: null });
      expect(deliveries[0]?.attempts[0]).toMatchObject({ statusCode: 200, succeeded: true, error: null });
      expect(deliveries[0]?.attempts[0]?.attemptedAt).toBeInstanceOf(Date);
      const resent = await h.hj.webhooks.endpoints.resendDelivery(endpoint.id, deliveries[0]?.id as string);
      expect(resent).toMatchObject({ id: deliveries[0]?.id, status: "pending" });
    } finally {
      await hooks.close();
    }
  });
});
