import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HelloJohn } from "@hellojohn/node";
import { afterAll, describe, expect, it } from "vitest";
import { createServer, MasterKey, type HelloJohnServer } from "../src/index.js";
import { backends, type Backend } from "./backends.js";
import { email } from "./helpers.js";
import { eventually, WebhookReceiver } from "./webhook-receiver.js";

const CHILD = new URL("./fixtures/webhook-server.mjs", import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), "hellojohn-webhooks-"));
const all = await backends();
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Child {
  process: ChildProcess;
  url: string;
  tenantId?: string;
  secretKey?: string;
}

function startChild(databaseUrl: string, masterKey: string, createTenant: boolean): Promise<Child> {
  const child = spawn(process.execPath, [CHILD], {
    env: { ...process.env, HELLOJOHN_DATABASE_URL: databaseUrl, HELLOJOHN_MASTER_KEY: masterKey, CREATE_TENANT: createTenant ? "1" : "0" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes("\n")) resolve({ process: child, ...(JSON.parse(out.split("\n")[0] as string) as Omit<Child, "process">) });
    });
    child.stderr?.on("data", (chunk: Buffer) => void (err += chunk.toString()));
    child.on("exit", (code) => reject(new Error(`server exited with ${code}: ${err}`)));
  });
}

const killed = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });

const durable: Array<{ name: string; backend: Backend; url: () => Promise<string> }> = [
  { name: "SQLite file", backend: all[0] as Backend, url: async () => `sqlite:${join(dir, `crash-${Date.now()}.db`)}` },
  ...all.filter((b) => b.name === "postgres").map((backend) => ({ name: "PostgreSQL", backend, url: () => backend.create() })),
];

describe.each(durable)("kill -9 between commit and delivery on $name", ({ backend, url }) => {
  it("delivers the event after a restart", async () => {
    const databaseUrl = await url();
    const masterKey = MasterKey.generate();
    const receiver = await WebhookReceiver.start();
    const children: ChildProcess[] = [];
    try {
      const first = await startChild(databaseUrl, masterKey, true);
      children.push(first.process);
      const hj = new HelloJohn({ tenantId: first.tenantId as string, secretKey: first.secretKey as string, baseUrl: first.url });
      const endpoint = await hj.webhooks.endpoints.create({ url: receiver.url, events: ["user.created"] });
      // The first attempt reaches the receiver, which never answers: the server dies with it in flight.
      receiver.respond = (_, n) => (n === 0 ? "hang" : 200);
      const user = await hj.users.create({ email: email("crash") });
      await receiver.waitFor("the first attempt", () => receiver.received.length === 1);
      await killed(first.process);

      const second = await startChild(databaseUrl, masterKey, false);
      children.push(second.process);
      await receiver.waitFor("the delivery after restart", () => receiver.received.length === 2);
      const event = await new HelloJohn({ tenantId: first.tenantId as string, secretKey: first.secretKey as string, baseUrl: second.url }).webhooks.verify(
        receiver.received[1]?.body ?? "",
        receiver.received[1]?.headers ?? {},
        endpoint.secret,
      );
      expect(event).toMatchObject({ type: "user.created", data: { id: user.id } });
      expect(receiver.received[1]?.headers["webhook-id"]).toBe(receiver.received[0]?.headers["webhook-id"]);
      const viaSecond = new HelloJohn({ tenantId: first.tenantId as string, secretKey: first.secretKey as string, baseUrl: second.url });
      await eventually("the delivery to be recorded", async () => {
        const [d] = (await viaSecond.webhooks.endpoints.listDeliveries(endpoint.id)).deliveries;
        return d?.status === "succeeded" ? d : undefined;
      });
    } finally {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) await killed(child);
      await receiver.close();
      if (backend.name === "postgres") await backend.drop(databaseUrl);
    }
  });
});

const postgres = all.find((b) => b.name === "postgres");

describe.skipIf(postgres === undefined)("two instances delivering from one PostgreSQL database", () => {
  it("makes every attempt once, in feed order per endpoint", async () => {
    const pg = postgres as Backend;
    const databaseUrl = await pg.create();
    const masterKey = MasterKey.generate();
    const webhooks = { allowPrivateNetworks: true, pollIntervalMs: 20, timeoutMs: 2000, concurrency: 3 };
    const servers: HelloJohnServer[] = [];
    const receivers: WebhookReceiver[] = [];
    try {
      for (let i = 0; i < 2; i++) servers.push(await createServer({ databaseUrl, masterKey, passwordHashing: "unsafe-test-only", webhooks }));
      const [a, b] = servers as [HelloJohnServer, HelloJohnServer];
      const tenant = await a.tenants.createTenant("Shared");
      const { secretKey } = await a.tenants.createApiKey(tenant.id, "test");
      const clients = [
        new HelloJohn({ tenantId: tenant.id, secretKey, baseUrl: await a.listen({ port: 0 }) }),
        new HelloJohn({ tenantId: tenant.id, secretKey, baseUrl: await b.listen({ port: 0 }) }),
      ];
      const endpoints = [];
      for (let i = 0; i < 6; i++) {
        const r = await WebhookReceiver.start();
        receivers.push(r);
        endpoints.push(await (clients[i % 2] as HelloJohn).webhooks.endpoints.create({ url: r.url, events: ["organization.created", "organization.updated"] }));
      }
      // Writes land on both instances; both workers race for the same deliveries.
      const orgs = await Promise.all(Array.from({ length: 10 }, (_, i) => (clients[i % 2] as HelloJohn).organizations.create({ name: `Org ${i}` })));
      await Promise.all(orgs.map((org, i) => (clients[(i + 1) % 2] as HelloJohn).organizations.update(org.id, { name: `Org ${i}!` })));
      const feed = await (clients[0] as HelloJohn).events.list({ types: ["organization.created", "organization.updated"], limit: 100 }).toArray();
      expect(feed).toHaveLength(20);
      for (const r of receivers) {
        await r.waitFor("every event", () => r.received.length >= feed.length);
        // Each event exactly once, in the feed's (commit) order.
        expect(r.received.map((got) => got.headers["webhook-id"])).toEqual(feed.map((e) => e.id));
      }
      for (const endpoint of endpoints) {
        // The receiver answers before the server records the attempt: wait for the records.
        const deliveries = await eventually("every attempt recorded", async () => {
          const all = await (clients[1] as HelloJohn).webhooks.endpoints.listDeliveries(endpoint.id).toArray();
          return all.every((d) => d.status === "succeeded") ? all : undefined;
        });
        expect(deliveries.map((d) => [d.status, d.attempts.length])).toEqual(feed.map(() => ["succeeded", 1]));
      }
    } finally {
      for (const s of servers) await s.close();
      for (const r of receivers) await r.close();
      await pg.drop(databaseUrl);
    }
  });
});
