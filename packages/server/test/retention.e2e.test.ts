import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { newId } from "../src/crypto/ids.js";
import { backends } from "./backends.js";
import { email, harness, type Harness } from "./helpers.js";

const DAY = 24 * 3600 * 1000;
const PASSWORD = "TemporaryPass123!";

describe.each(await backends())("per-user data on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(backend);
  });
  afterAll(async () => {
    await h.close();
  });

  /** Writes `count` sessions and audit events for the user straight into the database, as years of use would. */
  async function history(userId: string, count: number, at: (i: number) => number) {
    const db = h.t.server.database.db;
    for (let start = 0; start < count; start += 500) {
      const indexes = Array.from({ length: Math.min(500, count - start) }, (_, k) => start + k);
      await db
        .insertInto("sessions")
        .values(
          indexes.map((i) => ({
            id: newId("ses"),
            tenant_id: h.t.tenantId,
            user_id: userId,
            created_at: at(i),
            expires_at: at(i) + 3600_000,
            revoked_at: null,
            last_used_at: null,
            ip_address: "127.0.0.1",
            user_agent: "test",
            impersonator_id: null,
            impersonation_reason: null,
          })),
        )
        .execute();
      await db
        .insertInto("audit_events")
        .values(
          indexes.map((i) => ({
            id: newId("evt"),
            tenant_id: h.t.tenantId,
            type: "user.signed_in",
            actor_type: "user",
            actor_id: userId,
            subject_user_id: userId,
            ip_address: null,
            user_agent: null,
            data: "{}",
            created_at: at(i),
          })),
        )
        .execute();
    }
  }

  it("exports a long history completely, newest first, streamed page by page", async () => {
    const user = await h.hj.users.create({ email: email("history") });
    const now = Date.now();
    await history(user.id, 1_234, (i) => now - i * 1000);
    const exported = await h.hj.users.export(user.id);
    expect(exported.sessions).toHaveLength(1_234);
    const times = exported.sessions.map((s) => s.createdAt.getTime());
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(exported.sessions.map((s) => s.id)).size).toBe(1_234);
    // Its own creation and export events, plus the history.
    expect(exported.auditEvents.length).toBe(1_234 + 2);
  });

  it("sweeps expired sessions, stale refresh tokens and old idempotency records, and keeps live ones", async () => {
    const user = await h.hj.users.create({ email: email("sweep"), password: PASSWORD });
    const live = await h.hj.sessions.signInWithPassword({ email: user.email, password: PASSWORD });
    const refreshed = await h.hj.sessions.refresh(live.refreshToken);
    const old = Date.now() - 40 * DAY;
    await history(user.id, 30, (i) => old - i * 1000);
    await h.hj.users.update(user.id, { firstName: "Kept" }, { idempotencyKey: `sweep-${user.id}` });
    const db = h.t.server.database.db;
    const count = async (table: "sessions" | "refresh_tokens") => (await db.selectFrom(table).select("id").where("user_id", "=", user.id).execute()).length;
    expect(await count("sessions")).toBe(31);
    expect(await count("refresh_tokens")).toBe(2);

    const today = await h.t.server.sweep();
    expect(today.sessions).toBeGreaterThanOrEqual(30);
    expect(await count("sessions")).toBe(1);
    expect(await count("refresh_tokens")).toBe(2); // the used one is kept a week to catch its reuse

    // Eight days on: the used refresh token and the stored response are gone; the live session is not yet expired.
    const later = await h.t.server.sweep({ now: Date.now() + 8 * DAY });
    expect(later.refreshTokens).toBeGreaterThanOrEqual(1);
    expect(later.idempotencyKeys).toBeGreaterThanOrEqual(1);
    expect(await count("refresh_tokens")).toBe(1);
    const stored = await db.selectFrom("idempotency_keys").select("key").where("key", "=", `sweep-${user.id}`).execute();
    expect(stored).toEqual([]);
    expect((await h.hj.sessions.get(live.sessionId)).status).toBe("active");
    await h.hj.sessions.refresh(refreshed.refreshToken);
  });
});
