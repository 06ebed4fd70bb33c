import type { AddressInfo } from "node:net";
import { describeWebhookSync } from "@hellojohn-examples/journey/webhook-sync";
import { createApp } from "./app.js";
import { LocalUsers } from "./local-users.js";

describeWebhookSync("express-app", async (client, webhookSecret) => {
  const localUsers = new LocalUsers();
  const server = createApp(client, { webhookSecret, localUsers }).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    localUsers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
