import { describeJourney } from "@hellojohn-examples/journey";
import { createApp } from "./app.js";

describeJourney("fastify-app", async (client) => {
  const app = await createApp(client);
  const url = await app.listen({ port: 0, host: "127.0.0.1" });
  return { url, close: () => app.close() };
});
