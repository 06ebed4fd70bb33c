import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EventsPage, HelloJohnEvent } from "../src/index.js";
import { email, realServer, testDatabases, type RealServer } from "./real-server.js";

describe.each(await testDatabases())("hj.events against a real server on $name", (database) => {
  let h: RealServer;
  beforeAll(async () => {
    h = await realServer(database);
  });
  afterAll(async () => {
    await h.close();
  });

  it("reads the feed oldest first as typed events, with Dates and camelCase changed fields", async () => {
    const user = await h.hj.users.create({ email: email("feed") });
    await h.hj.users.update(user.id, { firstName: "Ada", phoneNumber: "+14155550123" });
    const events: HelloJohnEvent[] = [];
    for await (const event of h.hj.events.list({ types: ["user.created", "user.updated"] })) if (event.data && "id" in event.data && event.data.id === user.id) events.push(event);
    expect(events.map((e) => e.type)).toEqual(["user.created", "user.updated"]);
    const [created, updated] = events;
    expect(created?.id).toMatch(/^evt_/);
    expect(created?.createdAt).toBeInstanceOf(Date);
    if (updated?.type !== "user.updated") throw new Error("expected a user.updated event");
    expect(updated.data).toMatchObject({ id: user.id, firstName: "Ada", phoneNumber: "+14155550123" });
    expect(updated.data.updatedAt).toBeInstanceOf(Date);
    expect(updated.changedFields.sort()).toEqual(["firstName", "phoneNumber"]);
  });

  it("pages with { events, nextCursor } and no total, and resumes after a given event", async () => {
    const org = await h.hj.organizations.create({ name: "Feed" });
    const user = await h.hj.users.create({ email: email("member") });
    await h.hj.organizations.addMember(org.id, { userId: user.id, role: "admin" });
    await h.hj.organizations.removeMember(org.id, user.id);
    await h.hj.organizations.delete(org.id);

    const types = ["organization.created", "organization.member_added", "organization.member_removed", "organization.deleted"] as const;
    const first: EventsPage = await h.hj.events.list({ types: [...types], limit: 1 });
    expect(Object.keys(first).sort()).toEqual(["events", "nextCursor"]);
    expect(first.events).toHaveLength(1);
    const all = await h.hj.events.list({ types: [...types], limit: 1 }).toArray();
    const mine = all.filter((e) => JSON.stringify(e.data).includes(org.id));
    expect(mine.map((e) => e.type)).toEqual([...types]);
    expect(mine[1]).toMatchObject({ type: "organization.member_added", data: { orgId: org.id, userId: user.id, role: "admin" } });
    expect(mine[2]).toMatchObject({ type: "organization.member_removed", data: { orgId: org.id, userId: user.id } });
    expect(mine[3]).toMatchObject({ type: "organization.deleted", data: { id: org.id, deleted: true } });

    const resumed = await h.hj.events.list({ types: [...types], after: mine[1]?.id }).toArray();
    expect(resumed.map((e) => e.id)).toEqual(all.slice(all.indexOf(mine[1] as HelloJohnEvent) + 1).map((e) => e.id));
  });

  it("types a session event's data with the session and its user", async () => {
    const address = email("signin");
    const user = await h.hj.users.create({ email: address, password: "TemporaryPass123!" });
    const { sessionId } = await h.hj.sessions.signInWithPassword({ email: address, password: "TemporaryPass123!" });
    const events = await h.hj.events.list({ types: ["session.created"] }).toArray();
    const event = events.find((e) => e.type === "session.created" && e.data.id === sessionId);
    expect(event).toMatchObject({ type: "session.created", data: { id: sessionId, userId: user.id, status: "active" } });
    if (event?.type === "session.created") expect(event.data.expiresAt).toBeInstanceOf(Date);
  });
});
