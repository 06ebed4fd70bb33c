import { HelloJohn, isHelloJohnError } from "@hellojohn/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type HelloJohnServer } from "../src/app.js";
import { MasterKey } from "../src/crypto/master-key.js";
import { backends } from "./backends.js";
import { email } from "./helpers.js";

const PASSWORD = "TemporaryPass123!";
const TRIALS = 12;

/**
 * A server with real (OWASP) Argon2 cost, so a sign-in spends the tens of
 * milliseconds between finding the user and creating the session that an
 * attacker's disable or delete can land in.
 */
describe.each(await backends())("sign-in racing disable and delete on $name", (backend) => {
  let databaseUrl: string;
  let server: HelloJohnServer;
  let hj: HelloJohn;
  let tenantId: string;
  let hashMs = 30;

  beforeAll(async () => {
    databaseUrl = await backend.create();
    server = await createServer({ databaseUrl, masterKey: MasterKey.generate() });
    const url = await server.listen();
    tenantId = (await server.tenants.createTenant("Races")).id;
    const { secretKey } = await server.tenants.createApiKey(tenantId);
    hj = new HelloJohn({ tenantId, secretKey, baseUrl: url, maxRetries: 0 });
    // How long one sign-in takes here, to spread the racing calls across it.
    const user = await hj.users.create({ email: email("warmup"), password: PASSWORD });
    const started = performance.now();
    await hj.sessions.signInWithPassword({ email: user.email, password: PASSWORD });
    hashMs = Math.max(5, performance.now() - started);
  });
  afterAll(async () => {
    await server.close();
    await backend.drop(databaseUrl);
  });

  const activeSessions = async (userId: string) => server.database.db.selectFrom("sessions").select("id").where("user_id", "=", userId).where("revoked_at", "is", null).execute();
  const delay = (trial: number) => new Promise((resolve) => setTimeout(resolve, (trial / TRIALS) * hashMs * 1.2));

  it("after disable returns, no session of the user is active, and none comes back with enable", async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const user = await hj.users.create({ email: email(`disable${trial}`), password: PASSWORD });
      const signIn = hj.sessions.signInWithPassword({ email: user.email, password: PASSWORD }).catch((e: unknown) => e as Error);
      await delay(trial);
      await hj.users.disable(user.id);
      expect(await activeSessions(user.id)).toEqual([]);
      const result = await signIn;
      expect(await activeSessions(user.id)).toEqual([]);
      if (!isHelloJohnError(result) && !(result instanceof Error)) {
        // The sign-in won the race: its session was revoked by the disable and stays revoked.
        expect(await hj.sessions.get(result.sessionId)).toMatchObject({ status: "revoked" });
        await expect(hj.verifyToken(result.accessToken, { checkRevoked: true })).rejects.toMatchObject({ code: "revoked" });
        await hj.users.enable(user.id);
        await expect(hj.sessions.refresh(result.refreshToken)).rejects.toMatchObject({ status: 401 });
      } else {
        expect(result).toMatchObject({ status: 403, code: "user_disabled" });
      }
    }
  });

  it("after delete returns and the sign-in settles, nothing about the user exists", async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const user = await hj.users.create({ email: email(`delete${trial}`), password: PASSWORD });
      const signIn = hj.sessions.signInWithPassword({ email: user.email, password: PASSWORD }).catch((e: unknown) => e as Error);
      await delay(trial);
      await hj.users.delete(user.id);
      const result = await signIn;
      const db = server.database.db;
      const leftovers = [
        ...(await db.selectFrom("sessions").select("id").where("user_id", "=", user.id).execute()),
        ...(await db.selectFrom("refresh_tokens").select("id").where("user_id", "=", user.id).execute()),
        ...(await db.selectFrom("users").select("id").where("id", "=", user.id).execute()),
        ...(await db.selectFrom("audit_events").select(["id", "type"]).where("subject_user_id", "=", user.id).where("type", "!=", "user.deleted").execute()),
        ...(await db.selectFrom("audit_events").select(["id", "type"]).where("actor_id", "=", user.id).execute()),
      ];
      expect(leftovers).toEqual([]);
      if (!isHelloJohnError(result) && !(result instanceof Error)) {
        // Signed in before the delete: that session went with the user.
        await expect(hj.sessions.refresh(result.refreshToken)).rejects.toMatchObject({ status: 401 });
      } else {
        expect(result).toMatchObject({ status: 401, code: "invalid_credentials" });
      }
    }
  });

  it("a refresh racing disable never leaves a usable refresh token", async () => {
    for (let trial = 0; trial < TRIALS; trial++) {
      const user = await hj.users.create({ email: email(`refresh${trial}`), password: PASSWORD });
      const first = await hj.sessions.signInWithPassword({ email: user.email, password: PASSWORD });
      const refreshed = hj.sessions.refresh(first.refreshToken).catch((e: unknown) => e as Error);
      await new Promise((resolve) => setTimeout(resolve, trial % 3));
      await hj.users.disable(user.id);
      const result = await refreshed;
      await hj.users.enable(user.id);
      if (!isHelloJohnError(result) && !(result instanceof Error)) {
        await expect(hj.sessions.refresh(result.refreshToken)).rejects.toMatchObject({ status: 401 });
      }
      expect(await activeSessions(user.id)).toEqual([]);
    }
  });
});
