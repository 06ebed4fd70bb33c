// The server under measurement in `bench/scale.mjs`, in a process of its own, so that its
// event loop and its memory are the server's alone (the SDK making the calls, and its
// garbage collections, live in the parent). Forked with HELLOJOHN_BENCH_DATABASE_URL; it
// answers the parent's messages: `stall` (longest event-loop delay since the last `reset`,
// in ms), `rss` (peak resident memory since start, in MB), `close`.
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createServer, MasterKey } from "../dist/index.js";

const server = await createServer({
  databaseUrl: process.env.HELLOJOHN_BENCH_DATABASE_URL,
  masterKey: MasterKey.generate(),
  passwordHashing: "unsafe-test-only",
  limits: { preset: "development" },
});
const url = await server.listen({ host: "127.0.0.1", port: 0 });
const tenant = await server.tenants.createTenant("Scale");
const { secretKey } = await server.tenants.createApiKey(tenant.id, "bench");

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let rss = process.memoryUsage().rss;
setInterval(() => (rss = Math.max(rss, process.memoryUsage().rss)), 25).unref();

process.on("message", async ({ id, type }) => {
  if (type === "reset") {
    loop.reset();
    process.send({ id });
  } else if (type === "stall") {
    process.send({ id, value: loop.max / 1e6 });
  } else if (type === "rss") {
    process.send({ id, value: rss / 2 ** 20 });
  } else if (type === "close") {
    loop.disable();
    await server.close();
    process.send({ id });
    process.disconnect();
  }
});
process.send({ ready: { url, tenantId: tenant.id, secretKey } });
