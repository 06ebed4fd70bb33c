/**
 * Starts the example app. With no HELLOJOHN_* variables set, it first starts
 * an embedded HelloJohn server (SQLite in ./.hellojohn) and seeds an admin, who is also
 * an admin of the "Example org" organization.
 */
import { HelloJohn, NotFoundError } from "@hellojohn/fastify";
import { startDevServer } from "@hellojohn/server";
import { createApp } from "./app.js";

const ADMIN = { email: "admin@example.com", password: "Admin-Passw0rd!" };

const embedded = process.env.HELLOJOHN_API_URL === undefined ? await startDevServer({ dataDir: ".hellojohn", port: 0 }) : null;
const client = new HelloJohn(embedded === null ? undefined : { tenantId: embedded.tenantId, secretKey: embedded.secretKey, baseUrl: embedded.url });

const admin = await client.users.getByEmail(ADMIN.email).catch(async (error: unknown) => {
  if (!(error instanceof NotFoundError)) throw error;
  return client.users.create({ ...ADMIN, firstName: "Ada", lastName: "Admin", emailVerified: true, metadata: { role: "admin" } });
});
// An organization where Ada is an admin, for the admin-only /org/members (sign in with its organizationId).
let org = (await client.organizations.list({ limit: 100 })).organizations.find((o) => o.name === "Example org");
if (org === undefined) {
  org = await client.organizations.create({ name: "Example org" });
  await client.organizations.addMember(org.id, { userId: admin.id, role: "admin" });
}

const port = Number(process.env.PORT ?? 3001);
const webhookUrl = `http://127.0.0.1:${port}/webhooks/hellojohn`;
// Embedded: point a webhook endpoint at this app (replacing the one of a previous run) and use its secret.
let webhookSecret = process.env.HELLOJOHN_WEBHOOK_SECRET;
if (embedded !== null) {
  for await (const old of client.webhooks.endpoints.list()) if (old.url === webhookUrl) await client.webhooks.endpoints.delete(old.id);
  webhookSecret = (await client.webhooks.endpoints.create({ url: webhookUrl, events: ["user.created", "user.updated", "user.disabled", "user.enabled", "user.deleted"] })).secret;
}
const app = await createApp(client, { webhookSecret });
const url = await app.listen({ port, host: "127.0.0.1" });
console.log(`Fastify example on ${url} (HelloJohn at ${embedded?.url ?? process.env.HELLOJOHN_API_URL})

  curl -s -c jar -H 'content-type: application/json' -d '${JSON.stringify({ ...ADMIN, organizationId: org.id })}' ${url}/auth/sign-in
  curl -s -b jar ${url}/me
  curl -s -b jar '${url}/admin/users?search=admin'
  curl -s -b jar ${url}/org/members
`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void app.close().then(() => embedded?.close());
  });
}
