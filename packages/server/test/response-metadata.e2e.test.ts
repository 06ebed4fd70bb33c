import { responseOf } from "@hellojohn/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "../src/testing.js";

let t: TestServer;
beforeAll(async () => {
  t = await startTestServer();
});
afterAll(() => t.close());

describe("responseOf, against the real server", () => {
  it("reads the request ID of a successful call and tells a replayed idempotent response from the first", async () => {
    const key = `signup-${Date.now()}`;
    const created = await t.client.users.create({ email: "replay@example.com" }, { idempotencyKey: key });
    const replayed = await t.client.users.create({ email: "replay@example.com" }, { idempotencyKey: key });
    const first = responseOf(created);
    const again = responseOf(replayed);
    expect(first).toMatchObject({ status: 201, idempotencyKey: key, idempotentReplayed: false, attempts: 1, requestId: expect.stringMatching(/^req_/) });
    expect(again).toMatchObject({ status: 201, idempotencyKey: key, idempotentReplayed: true });
    expect(again?.requestId).not.toBe(first?.requestId);
    expect(replayed).toEqual(created);
    expect(again?.headers["idempotent-replayed"]).toBe("true");

    const page = await t.client.users.list({ limit: 1 });
    expect(responseOf(page)).toMatchObject({ status: 200, idempotencyKey: undefined, requestId: expect.stringMatching(/^req_/) });
    const deleted = await t.client.users.delete(created.id);
    expect(responseOf(deleted)?.requestId).toMatch(/^req_/);
  });
});
