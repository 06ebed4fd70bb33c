import type { HelloJohn } from "@hellojohn/node";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningApp } from "./journey.js";

/** The part of an app's local users table the suite reads. */
export interface LocalUserRow {
  email: string;
  name: string | null;
  disabled: boolean;
}

/** An example app started with a webhook secret, and the table its webhook route keeps. */
export interface RunningWebhookApp extends RunningApp {
  localUsers: { rows: ReadonlyMap<string, LocalUserRow> };
}

async function until(what: string, done: () => boolean): Promise<void> {
  for (let waited = 0; !done(); waited += 20) {
    if (waited > 20_000) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The webhook route every example app has: a real HelloJohn server delivers
 * signed events to `POST /webhooks/hellojohn` and the app's own users table
 * follows every create, update, disable and delete.
 */
export function describeWebhookSync(name: string, startApp: (client: HelloJohn, webhookSecret: string) => Promise<RunningWebhookApp>): void {
  describe(`${name}: a local users table kept in sync by webhooks`, () => {
    let hj: TestServer;
    let app: RunningWebhookApp;

    beforeAll(async () => {
      hj = await startTestServer({ webhooks: { retrySchedule: [0, 50, 50], pollIntervalMs: 50 } });
      // The app's URL is known once it runs: the endpoint starts disabled on a placeholder.
      const endpoint = await hj.client.webhooks.endpoints.create({ url: "http://127.0.0.1:9/placeholder", events: ["*"] });
      app = await startApp(hj.client, endpoint.secret);
      await hj.client.webhooks.endpoints.update(endpoint.id, { url: `${app.url}/webhooks/hellojohn` });
    });
    afterAll(async () => {
      await app?.close();
      await hj?.close();
    });

    it("follows create, update, disable, enable and delete", async () => {
      const rows = () => app.localUsers.rows;
      const user = await hj.client.users.create({ email: "sync@example.com", firstName: "Sync" });
      await until("the created user", () => rows().get(user.id)?.email === "sync@example.com");
      expect(rows().get(user.id)).toMatchObject({ name: "Sync", disabled: false });
      await hj.client.users.update(user.id, { email: "synced@example.com", lastName: "Ed" });
      await until("the update", () => rows().get(user.id)?.email === "synced@example.com");
      expect(rows().get(user.id)?.name).toBe("Sync Ed");
      await hj.client.users.disable(user.id);
      await until("the disable", () => rows().get(user.id)?.disabled === true);
      await hj.client.users.enable(user.id);
      await until("the enable", () => rows().get(user.id)?.disabled === false);
      await hj.client.users.delete(user.id);
      await until("the delete", () => !rows().has(user.id));
      const [endpoint] = (await hj.client.webhooks.endpoints.list()).endpoints;
      // Attempts are recorded once the app has answered.
      let deliveries = await hj.client.webhooks.endpoints.listDeliveries(endpoint?.id ?? "").toArray();
      for (let i = 0; i < 500 && deliveries.some((d) => d.status !== "succeeded"); i++) {
        await new Promise((r) => setTimeout(r, 20));
        deliveries = await hj.client.webhooks.endpoints.listDeliveries(endpoint?.id ?? "").toArray();
      }
      expect(deliveries.map((d) => [d.status, d.attempts.at(-1)?.statusCode])).toEqual(deliveries.map(() => ["succeeded", 204]));
    });
  });
}
