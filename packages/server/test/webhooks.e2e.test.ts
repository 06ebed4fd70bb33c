import { HelloJohn, WebhookVerifier, type HelloJohnEvent } from "@hellojohn/node";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, MasterKey } from "../src/index.js";
import { startTestServer, type TestServer } from "../src/testing.js";
import { backends } from "./backends.js";
import { ContractChecker } from "./contract-fetch.js";
import { email } from "./helpers.js";
import { eventually, WebhookReceiver } from "./webhook-receiver.js";

const PASSWORD = "TemporaryPass123!";
// Five attempts 50 ms apart: the real schedule's shape without its days.
const RETRY_SCHEDULE = [0, 50, 50, 50, 50];

describe.each(await backends())("events and webhooks end to end on $name", (backend) => {
  let databaseUrl: string;
  let t: TestServer;
  let hj: HelloJohn;
  const checker = new ContractChecker();
  const receivers: WebhookReceiver[] = [];

  const receiver = async (): Promise<WebhookReceiver> => {
    const r = await WebhookReceiver.start();
    receivers.push(r);
    return r;
  };

  beforeAll(async () => {
    databaseUrl = await backend.create();
    t = await startTestServer({
      databaseUrl,
      clientOptions: { fetch: checker.fetch() },
      webhooks: { retrySchedule: RETRY_SCHEDULE, timeoutMs: 1000, pollIntervalMs: 50 },
    });
    hj = t.client;
  });
  afterAll(async () => {
    await t?.close();
    for (const r of receivers) await r.close();
    await backend.drop(databaseUrl);
    expect(checker.violations).toEqual([]);
  });

  it("delivers every event of a journey, signed, in order per object, and the feed holds the same events in the same order", async () => {
    const inbox = await receiver();
    const endpoint = await hj.webhooks.endpoints.create({ url: inbox.url, events: ["*"], description: "journey" });
    expect(endpoint.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(await hj.webhooks.endpoints.get(endpoint.id)).not.toHaveProperty("secret");
    const [start] = (await hj.events.list({ limit: 100 }).toArray()).slice(-1);

    const user = await hj.users.create({ email: email("journey"), password: PASSWORD, firstName: "Ada" });
    await hj.users.update(user.id, { firstName: "Ada L.", metadata: { plan: "pro" } });
    const org = await hj.organizations.create({ name: "Acme" });
    await hj.organizations.addMember(org.id, { userId: user.id, role: "admin" });
    const first = await hj.sessions.signInWithPassword({ email: user.email, password: PASSWORD });
    const second = await hj.sessions.signInWithPassword({ email: user.email, password: PASSWORD });
    await hj.sessions.signOut(first.refreshToken);
    await hj.users.disable(user.id);
    await hj.users.enable(user.id);
    await hj.organizations.update(org.id, { name: "Acme Inc." });
    await hj.organizations.removeMember(org.id, user.id);
    await hj.organizations.delete(org.id);
    // Deleting the user erases its earlier events: let them be delivered first.
    await inbox.waitFor("the journey's events before the deletion", () => inbox.received.length >= 13);
    await hj.users.delete(user.id);
    // A change that fails commits nothing, so it emits nothing.
    await expect(hj.users.update(user.id, { firstName: "Ghost" })).rejects.toMatchObject({ status: 404 });

    const expected = [
      "user.created",
      "user.updated",
      "organization.created",
      "organization.member_added",
      "session.created",
      "session.created",
      "session.revoked",
      "user.disabled",
      "session.revoked",
      "user.enabled",
      "organization.updated",
      "organization.member_removed",
      "organization.deleted",
      "user.deleted",
    ];
    await inbox.waitFor("the journey's events", () => inbox.received.length >= expected.length);
    const events: HelloJohnEvent[] = [];
    for (const got of inbox.received) events.push(await hj.webhooks.verify(got.body, got.headers, endpoint.secret));
    expect(events.map((e) => e.type)).toEqual(expected);

    // The feed: the same events, same order, resumable from any ID — but the deleted user's
    // earlier events (profile, sessions, memberships) were erased from it.
    const feed = await hj.events.list({ after: start?.id, limit: 5 }).toArray();
    const aboutTheUser = (e: HelloJohnEvent): boolean => e.type.startsWith("user.") || e.type.startsWith("session.") || e.type.startsWith("organization.member_");
    expect(feed.map((e) => e.id)).toEqual(events.filter((e) => !aboutTheUser(e) || e.type === "user.deleted").map((e) => e.id));
    expect(feed.map((e) => e.type)).toEqual(["organization.created", "organization.updated", "organization.deleted", "user.deleted"]);
    // An erased event's ID is still a cursor: a reader that stopped on it resumes.
    const resumed = await hj.events.list({ after: events[6]?.id, types: ["user.disabled", "user.deleted"] }).toArray();
    expect(resumed.map((e) => e.type)).toEqual(["user.deleted"]);

    // Typed payloads: the object as the API returns it, no secrets, a deleted user's ID only.
    const [created, updated] = events;
    expect(created).toMatchObject({ type: "user.created", data: { id: user.id, email: user.email, firstName: "Ada" } });
    expect(updated).toMatchObject({ type: "user.updated", data: { firstName: "Ada L.", metadata: { plan: "pro" } }, changedFields: ["firstName", "metadata"] });
    expect(events.find((e) => e.type === "session.created")).toMatchObject({ data: { id: first.sessionId, userId: user.id } });
    const revokedByDisable = events[8];
    expect(revokedByDisable).toMatchObject({ type: "session.revoked", data: { id: second.sessionId } });
    expect(events.at(-1)).toEqual({ id: expect.any(String), type: "user.deleted", createdAt: expect.any(Date), data: { id: user.id, deleted: true } });
    for (const got of inbox.received) expect(got.body).not.toMatch(/password|hash|refresh_token|secret/i);
    // One webhook-id per event, the event's own ID.
    expect(inbox.received.map((r) => r.headers["webhook-id"])).toEqual(events.map((e) => e.id));

    // The receiver answers before the server records the attempt: wait for the records.
    // Deliveries of the erased events went with them.
    const deliveries = await eventually("every attempt recorded", async () => {
      const all = await hj.webhooks.endpoints.listDeliveries(endpoint.id).toArray();
      return all.length === feed.length && all.every((d) => d.status === "succeeded") ? all : undefined;
    });
    expect(deliveries.map((d) => d.eventId).sort()).toEqual(feed.map((e) => e.id).sort());
    for (const d of deliveries) {
      expect(d).toMatchObject({ status: "succeeded", attemptCount: 1, nextAttemptAt: null });
      expect(d.attempts).toEqual([expect.objectContaining({ statusCode: 200, succeeded: true, responseExcerpt: "ok", error: null })]);
    }
  });

  it("erases a deleted user's earlier events and their deliveries in the deletion's transaction; other users' events stay", async () => {
    const inbox = await receiver();
    const endpoint = await hj.webhooks.endpoints.create({ url: inbox.url, events: ["*"] });
    const [start] = (await hj.events.list({ limit: 100 }).toArray()).slice(-1);
    const gone = await hj.users.create({ email: email("erased"), password: PASSWORD, firstName: "Erasable" });
    const kept = await hj.users.create({ email: email("kept"), firstName: "Keeper" });
    const org = await hj.organizations.create({ name: "Erasure Inc." });
    await hj.organizations.addMember(org.id, { userId: gone.id, role: "admin" });
    await hj.organizations.addMember(org.id, { userId: kept.id, role: "member" });
    const session = await hj.sessions.signInWithPassword({ email: gone.email, password: PASSWORD });
    await hj.users.update(gone.id, { lastName: "Person" });
    await hj.users.update(kept.id, { lastName: "Person" });
    const before = await hj.events.list({ after: start?.id }).toArray();
    expect(before.map((e) => e.type)).toEqual([
      "user.created",
      "user.created",
      "organization.created",
      "organization.member_added",
      "organization.member_added",
      "session.created",
      "user.updated",
      "user.updated",
    ]);
    await eventually("every event to have a delivery", async () => {
      const all = await hj.webhooks.endpoints.listDeliveries(endpoint.id).toArray();
      return all.length === before.length ? all : undefined;
    });
    const cursor = before[5]?.id; // the erased user's session.created

    await hj.users.delete(gone.id);

    const after = await hj.events.list({ after: start?.id }).toArray();
    expect(after.map((e) => [e.type, "userId" in e.data ? e.data.userId : e.data.id])).toEqual([
      ["user.created", kept.id],
      ["organization.created", org.id],
      ["organization.member_added", kept.id],
      ["user.updated", kept.id],
      ["user.deleted", gone.id],
    ]);
    // A reader whose cursor is an erased event resumes after it.
    expect((await hj.events.list({ after: cursor }).toArray()).map((e) => e.type)).toEqual(["user.updated", "user.deleted"]);
    // Nothing about the user is left in the events table or the deliveries.
    const rows = await t.server.database.db.selectFrom("events").select(["payload", "erased"]).where("user_id", "=", gone.id).execute();
    expect(rows.filter((r) => r.erased === 0).map((r) => JSON.parse(r.payload) as unknown)).toEqual([{ data: { id: gone.id, deleted: true } }]);
    expect(rows.filter((r) => r.erased === 1)).toHaveLength(4); // created, member_added, session.created, updated
    const stored = (await t.server.database.db.selectFrom("events").select("payload").execute()).map((r) => r.payload).join("\n");
    expect(stored).not.toContain(gone.email);
    expect(stored).not.toContain(session.sessionId);
    const deliveries = await eventually("the user.deleted delivery", async () => {
      const all = await hj.webhooks.endpoints.listDeliveries(endpoint.id).toArray();
      return all.some((d) => d.eventType === "user.deleted") ? all : undefined;
    });
    expect(deliveries.map((d) => d.eventId).sort()).toEqual(after.map((e) => e.id).sort());
    await hj.webhooks.endpoints.delete(endpoint.id);
  });

  it("signs to the Standard Webhooks spec: the standardwebhooks package verifies our deliveries", async () => {
    const inbox = await receiver();
    const endpoint = await hj.webhooks.endpoints.create({ url: inbox.url, events: ["organization.created"] });
    const org = await hj.organizations.create({ name: "Signed" });
    await inbox.waitFor("organization.created", () => inbox.received.length === 1);
    const got = inbox.received[0] as (typeof inbox.received)[number];
    const payload = new Webhook(endpoint.secret).verify(got.body, got.headers as Record<string, string>) as { type: string; data: { id: string } };
    expect(payload).toMatchObject({ type: "organization.created", data: { id: org.id } });
    expect(() => new Webhook(endpoint.secret).verify(got.body.replace("Signed", "Forged"), got.headers as Record<string, string>)).toThrow();
  });

  it("retries a receiver that answers 500 three times and delivers on the fourth attempt; every attempt is listed; a delivery can be re-sent", async () => {
    const inbox = await receiver();
    inbox.respond = (_, n) => (n < 3 ? 500 : 200);
    const endpoint = await hj.webhooks.endpoints.create({ url: inbox.url, events: ["user.created"] });
    const user = await hj.users.create({ email: email("retry") });
    await inbox.waitFor("four attempts", () => inbox.received.length === 4);
    const [delivery] = await eventually("the delivery to succeed", async () => {
      const page = await hj.webhooks.endpoints.listDeliveries(endpoint.id);
      return page.deliveries[0]?.status === "succeeded" ? page.deliveries : undefined;
    });
    expect(delivery).toMatchObject({ eventType: "user.created", status: "succeeded", attemptCount: 4 });
    expect(delivery?.attempts.map((a) => [a.statusCode, a.succeeded, a.responseExcerpt])).toEqual([
      [500, false, "failed with 500"],
      [500, false, "failed with 500"],
      [500, false, "failed with 500"],
      [200, true, "ok"],
    ]);
    for (const a of delivery?.attempts ?? []) expect(a.latencyMs).toBeGreaterThanOrEqual(0);
    // The same webhook-id every time (receivers dedupe on it), a fresh timestamp-bound signature each time.
    const ids = new Set(inbox.received.map((r) => r.headers["webhook-id"]));
    expect(ids.size).toBe(1);
    const verified = await hj.webhooks.verify(inbox.received[3]?.body ?? "", inbox.received[3]?.headers ?? {}, endpoint.secret);
    expect(verified).toMatchObject({ type: "user.created", data: { id: user.id } });

    const resent = await hj.webhooks.endpoints.resendDelivery(endpoint.id, delivery?.id ?? "");
    expect(resent.status).toBe("pending");
    await inbox.waitFor("the re-sent delivery", () => inbox.received.length === 5);
    expect(inbox.received[4]?.headers["webhook-id"]).toBe(inbox.received[0]?.headers["webhook-id"]);
    await eventually("the re-send to be recorded", async () => {
      const [d] = (await hj.webhooks.endpoints.listDeliveries(endpoint.id)).deliveries;
      return d?.attemptCount === 5 && d.status === "succeeded" ? d : undefined;
    });
  });

  it("disables an endpoint whose every attempt fails, and re-enabling it resumes delivery", async () => {
    const inbox = await receiver();
    inbox.respond = () => 503;
    const endpoint = await hj.webhooks.endpoints.create({ url: inbox.url, events: ["organization.created"] });
    await hj.organizations.create({ name: "Doomed" });
    const disabled = await eventually("the endpoint to be disabled", async () => {
      const e = await hj.webhooks.endpoints.get(endpoint.id);
      return e.disabled ? e : undefined;
    });
    expect(inbox.received).toHaveLength(RETRY_SCHEDULE.length);
    expect(disabled.disabledReason).toMatch(/failed \(last: 503\)/);
    const [failed] = (await hj.webhooks.endpoints.listDeliveries(endpoint.id)).deliveries;
    expect(failed).toMatchObject({ status: "failed", attemptCount: RETRY_SCHEDULE.length, nextAttemptAt: null });

    // Disabled endpoints get no new deliveries and no re-sends.
    await hj.organizations.create({ name: "Unheard" });
    await expect(hj.webhooks.endpoints.resendDelivery(endpoint.id, failed?.id ?? "")).rejects.toMatchObject({ status: 409, code: "webhook_endpoint_disabled" });
    inbox.respond = () => 204;
    expect(await hj.webhooks.endpoints.update(endpoint.id, { disabled: false })).toMatchObject({ disabled: false, disabledReason: null });
    await hj.webhooks.endpoints.resendDelivery(endpoint.id, failed?.id ?? "");
    await inbox.waitFor("the re-sent delivery", () => inbox.received.length === RETRY_SCHEDULE.length + 1);
    const types = inbox.types();
    expect(types.every((type) => type === "organization.created")).toBe(true);
  });

  it("keeps delivering to other endpoints while one hangs, and records the hanging attempt as a timeout", async () => {
    const slow = await receiver();
    const fast = await receiver();
    slow.respond = () => "hang";
    const slowEndpoint = await hj.webhooks.endpoints.create({ url: slow.url, events: ["organization.created"] });
    await hj.webhooks.endpoints.create({ url: fast.url, events: ["organization.created"] });
    await hj.organizations.create({ name: "Busy" });
    await slow.waitFor("the hanging request", () => slow.received.length === 1);
    await fast.waitFor("the other endpoint's delivery", () => fast.received.length === 1);
    const [attempt] = await eventually("the timed-out attempt", async () => {
      const [d] = (await hj.webhooks.endpoints.listDeliveries(slowEndpoint.id)).deliveries;
      return d !== undefined && d.attempts.length > 0 ? d.attempts : undefined;
    });
    expect(attempt).toMatchObject({ statusCode: null, succeeded: false, error: "timeout" });
    await hj.webhooks.endpoints.delete(slowEndpoint.id);
  });

  it("signs with the old and the new secret for a while after a rotation", async () => {
    const inbox = await receiver();
    const endpoint = await hj.webhooks.endpoints.create({ url: inbox.url, events: ["organization.created"] });
    const rotated = await hj.webhooks.endpoints.rotateSecret(endpoint.id);
    expect(rotated.secret).not.toBe(endpoint.secret);
    await hj.organizations.create({ name: "Rotated" });
    await inbox.waitFor("the delivery", () => inbox.received.length === 1);
    const got = inbox.received[0] as (typeof inbox.received)[number];
    expect(String(got.headers["webhook-signature"]).split(" ")).toHaveLength(2);
    await expect(new WebhookVerifier().verify(got.body, got.headers, endpoint.secret)).resolves.toMatchObject({ type: "organization.created" });
    await expect(hj.webhooks.verify(got.body, got.headers, rotated.secret)).resolves.toMatchObject({ type: "organization.created" });
    await expect(hj.webhooks.verify(got.body, got.headers, rotated.secret)).rejects.toMatchObject({ name: "WebhookVerificationError", code: "replayed" });
  });

  it("refuses bad input with a 400 naming the field", async () => {
    await expect(hj.webhooks.endpoints.create({ url: "ftp://example.com/x", events: ["user.created"] })).rejects.toMatchObject({ status: 400, param: "url" });
    await expect(hj.webhooks.endpoints.create({ url: "https://user:pw@example.com/x", events: ["user.created"] })).rejects.toMatchObject({ status: 400, param: "url" });
    await expect(hj.webhooks.endpoints.create({ url: "https://example.com/x", events: ["user.exploded" as never] })).rejects.toMatchObject({
      status: 400,
      param: "events",
      code: "invalid_event_type",
    });
    await expect(hj.webhooks.endpoints.create({ url: "https://example.com/x", events: [] })).rejects.toMatchObject({ status: 400, param: "events" });
    await expect(hj.events.list({ types: ["nope" as never] })).rejects.toMatchObject({ status: 400, param: "types" });
    await expect(hj.events.list({ after: "evt_bad" })).rejects.toMatchObject({ status: 400, param: "after", code: "invalid_id" });
    await expect(hj.events.list({ after: "evt_01J0000000000000000000000Z" })).rejects.toMatchObject({ status: 404, param: "after", code: "event_not_found" });
    await expect(hj.events.list({ limit: 101 })).rejects.toMatchObject({ status: 400, param: "limit" });
    await expect(hj.webhooks.endpoints.get("whe_01J0000000000000000000000Z")).rejects.toMatchObject({ status: 404, code: "webhook_endpoint_not_found" });
  });

  it("never lets a feed reader skip an event that commits later with a lower position", async () => {
    const users = await Promise.all(Array.from({ length: 10 }, () => hj.users.create({ email: email("tail") })));
    const [last] = (await hj.events.list({ limit: 100 }).toArray()).slice(-1);
    const seen: string[] = [];
    let after = last?.id;
    let writing = true;
    const writes = Promise.all(
      Array.from({ length: 40 }, (_, i) => hj.users.update((users[i % users.length] as (typeof users)[number]).id, { metadata: { [`k${i}`]: i } }, { maxRetries: 0 })),
    ).finally(() => {
      writing = false;
    });
    // Tail the feed while the writes race; a reader that only moves forward must still see all of them.
    for (let round = 0; round < 10_000; round++) {
      const stillWriting = writing;
      const page = await hj.events.list({ after, limit: 100 });
      for (const e of page.events) seen.push(e.id);
      after = page.events.at(-1)?.id ?? after;
      if (!stillWriting && page.nextCursor === null) break;
    }
    await writes;
    const all = await hj.events.list({ after: last?.id, types: ["user.updated"] }).toArray();
    expect(all).toHaveLength(40);
    expect(seen).toEqual(all.map((e) => e.id));
  });
});

describe("endpoint URLs in start mode", () => {
  let server: Awaited<ReturnType<typeof createServer>>;
  let hj: HelloJohn;
  beforeAll(async () => {
    // createServer's default is what `hellojohn-server start` runs: private addresses refused.
    server = await createServer({ masterKey: MasterKey.generate(), passwordHashing: "unsafe-test-only", webhooks: { deliver: false } });
    const url = await server.listen({ port: 0 });
    const tenant = await server.tenants.createTenant("SSRF");
    const { secretKey } = await server.tenants.createApiKey(tenant.id, "test");
    hj = new HelloJohn({ tenantId: tenant.id, secretKey, baseUrl: url, maxRetries: 0 });
  });
  afterAll(() => server?.close());

  it.each([
    "http://127.0.0.1:8080/hook",
    "http://localhost/hook",
    "http://[::1]/hook",
    "http://10.1.2.3/hook",
    "http://172.16.0.5/hook",
    "http://192.168.1.1/hook",
    "http://169.254.169.254/latest/meta-data",
    "http://[fe80::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
  ])("refuses %s", async (url) => {
    await expect(hj.webhooks.endpoints.create({ url, events: ["user.created"] })).rejects.toMatchObject({ status: 400, param: "url", code: "webhook_url_not_allowed" });
  });

  it("accepts a public address", async () => {
    await expect(hj.webhooks.endpoints.create({ url: "https://93.184.215.14/hook", events: ["user.created"] })).resolves.toMatchObject({ url: "https://93.184.215.14/hook" });
  });
});
