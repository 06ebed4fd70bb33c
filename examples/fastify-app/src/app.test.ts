import type { HelloJohn } from "@hellojohn/fastify";
import { describeAuthorization, describeJourney, type RunningApp } from "@hellojohn-examples/journey";
import { createApp } from "./app.js";

async function start(client: HelloJohn): Promise<RunningApp> {
  const app = await createApp(client);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, close: () => app.close() };
}

describeJourney("fastify-app", start);
await describeAuthorization("fastify-app", start);
