import type { AddressInfo } from "node:net";
import type { HelloJohn } from "@hellojohn/express";
import { describeAuthorization, describeJourney, type RunningApp } from "@hellojohn-examples/journey";
import { createApp } from "./app.js";

async function start(client: HelloJohn): Promise<RunningApp> {
  const server = createApp(client).listen(0, "127.0.0.1");
  await new Promise((resolve) => server.once("listening", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describeJourney("express-app", start);
await describeAuthorization("express-app", start);
