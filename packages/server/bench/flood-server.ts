// The server under test for bench/flood.ts, in its own process so the load generator does not share its event loop.
// Real Argon2id at OWASP's cost. Config arrives as JSON in FLOOD_CONFIG.
import { createServer, MasterKey, type LimitsOptions } from "../src/index.js";

interface Config {
  databaseUrl: string;
  redisUrl?: string;
  redisKeyPrefix?: string;
  limits: LimitsOptions;
}

const config = JSON.parse(process.env.FLOOD_CONFIG ?? "{}") as Config;
const server = await createServer({
  databaseUrl: config.databaseUrl,
  masterKey: MasterKey.generate(),
  redisUrl: config.redisUrl,
  redisKeyPrefix: config.redisKeyPrefix,
  limits: config.limits,
});
const url = await server.listen({ host: "127.0.0.1", port: 0 });
const tenant = await server.tenants.createTenant("Flood");
const { secretKey } = await server.tenants.createApiKey(tenant.id, "bench");

process.on("message", (message: { type: string }) => {
  if (message.type === "stats") {
    void server.database.db
      .selectFrom("audit_events")
      .select((eb) => eb.fn.countAll<number>().as("rows"))
      .where("tenant_id", "=", tenant.id)
      .where("type", "=", "user.sign_in_failed")
      .executeTakeFirstOrThrow()
      .then(({ rows }) => process.send?.({ type: "stats", hashes: server.limits.hashing().completed, auditRows: Number(rows) }));
  } else if (message.type === "close") {
    void server.close().then(() => process.exit(0));
  }
});
process.send?.({ type: "ready", url, tenantId: tenant.id, secretKey });
