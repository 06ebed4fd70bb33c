import { describeWebhookSync } from "@hellojohn-examples/journey/webhook-sync";
import { createApp } from "./app.js";
import { LocalUsers } from "./local-users.js";

describeWebhookSync("fastify-app", async (client, webhookSecret) => {
  const localUsers = new LocalUsers();
  const app = await createApp(client, { webhookSecret, localUsers });
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, localUsers, close: () => app.close() };
});
