import type { AddressInfo } from "node:net";
import { describeJourney } from "@hellojohn-examples/journey";
import { createApp } from "./app.js";

describeJourney("express-app", async (client) => {
  const server = createApp(client).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
});
