import { createReadStream } from "node:fs";
import bcrypt from "bcryptjs";
import { hash as argon2Hash } from "@node-rs/argon2";
import type { ImportUserParams } from "@hellojohn/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readerFor } from "../src/import/readers.js";
import type { ImportSource } from "../src/import/import-record.js";
import type { ImportUserInput } from "../src/contract/wire.js";
import { backends } from "./backends.js";
import { email, harness, type Harness } from "./helpers.js";

const FIXTURES = new URL("./fixtures/import/", import.meta.url);
/** github.com/firebase/scrypt's published project parameters (its README's test vector). */
const FIREBASE = { signerKey: "jxspr8Ki0RYycVU8zykbdLGjFQ3McFUH0uiiTvC8pVMXAn210wjLNmdZJzxUECKbm0QsEmYUSDzZvpjeJ9WmXA==", saltSeparator: "Bw==", rounds: 8, memCost: 14 };

async function* text(file: string): AsyncGenerator<string> {
  const stream = createReadStream(new URL(file, FIXTURES), { encoding: "utf8", highWaterMark: 64 });
  for await (const chunk of stream) yield chunk as string;
}

/** Reads a fixture the way the CLI does (tiny chunks, so records straddle them). */
async function read(source: ImportSource, file: string) {
  const users: ImportUserInput[] = [];
  const refusals: { record: number; code: string }[] = [];
  for await (const r of readerFor(source, { firebase: FIREBASE })(text(file))) {
    if ("user" in r) users.push(r.user);
    else refusals.push({ record: r.record, code: r.refusal.code });
  }
  return { users, refusals };
}

const toParams = (u: ImportUserInput): ImportUserParams => ({
  email: u.email,
  passwordHash: u.password_hash,
  firstName: u.first_name,
  username: u.username,
  lastName: u.last_name,
  phoneNumber: u.phone_number,
  avatarUrl: u.avatar_url,
  emailVerified: u.email_verified,
  metadata: u.metadata as ImportUserParams["metadata"],
  disabled: u.disabled,
  createdAt: u.created_at,
});

describe.each(await backends())("bulk import on $name", (backend) => {
  let h: Harness;
  beforeAll(async () => {
    h = await harness(backend);
  });
  afterAll(async () => {
    expect(h.checker.violations).toEqual([]);
    expect(h.checker.seen).toContain("importUsers");
    await h.close();
  });

  const storedHash = async (address: string): Promise<string | null> =>
    (await h.t.server.database.db.selectFrom("users").select("password_hash").where("email_lower", "=", address.toLowerCase()).executeTakeFirstOrThrow()).password_hash;

  /** Signs in with the old password, sees the hash become this server's Argon2id, and signs in again. */
  async function signsInAndUpgrades(address: string, password: string, kind: RegExp): Promise<void> {
    expect(await storedHash(address)).toMatch(kind);
    await expect(h.hj.sessions.signInWithPassword({ email: address, password: `${password}-wrong` })).rejects.toMatchObject({ status: 401 });
    expect(await storedHash(address)).toMatch(kind);
    const session = await h.hj.sessions.signInWithPassword({ email: address, password });
    expect(session.user?.email.toLowerCase()).toBe(address.toLowerCase());
    expect(await storedHash(address)).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    await h.hj.sessions.signInWithPassword({ email: address, password });
    await expect(h.hj.sessions.signInWithPassword({ email: address, password: `${password}-wrong` })).rejects.toMatchObject({ status: 401 });
  }

  it("Auth0 NDJSON: maps fields, keeps bcrypt and Argon2d hashes, refuses bad rows and skips duplicates", async () => {
    const { users, refusals } = await read("auth0", "auth0.ndjson");
    expect(refusals).toEqual([
      { record: 4, code: "unreadable_record" },
      { record: 5, code: "missing_email" },
    ]);
    const result = await h.hj.users.import({ users: users.map(toParams) });
    expect(result).toMatchObject({ created: 3, skipped: 1, refused: 1 });
    expect(result.results.map((r) => r.status)).toEqual(["created", "created", "created", "skipped", "refused"]);
    expect(result.results[4]?.error).toMatchObject({ code: "unsupported_password_hash", param: "password_hash" });
    const ada = await h.hj.users.getByEmail("ada.auth0@example.com");
    expect(ada).toMatchObject({ firstName: "Ada", lastName: "Lovelace", username: "ada_lovelace", emailVerified: true, avatarUrl: "https://example.com/ada.png", disabled: false });
    expect(ada.metadata.imported).not.toHaveProperty("username");
    expect(ada.createdAt.toISOString()).toBe("2020-10-06T15:19:03.551Z");
    expect(ada.metadata).toMatchObject({
      theme: "dark",
      imported: { source: "auth0", id: "auth0|5f7c8ec7c33c6c004bbafe82", app_metadata: { plan: "pro" }, logins_count: 42, nickname: "ada" },
    });
    expect(ada.metadata.imported).toMatchObject({
      omitted_credentials: ["identities.1.access_token"],
      identities: [{ provider: "auth0" }, { provider: "google-oauth2", user_id: "10987654321" }],
    });
    expect(JSON.stringify(ada.metadata)).not.toContain("ya29");
    // A username HelloJohn would refuse (too short) does not refuse the user: it stays in metadata.imported.
    const blocked = await h.hj.users.getByEmail("blocked.auth0@example.com");
    expect(blocked).toMatchObject({ disabled: true, phoneNumber: "+14155550123", username: null, metadata: { imported: { username: "x" } } });
    await signsInAndUpgrades("Ada.Auth0@example.com", "Auth0-Password-1", /^\$2b\$10\$/);
    await signsInAndUpgrades("argon2d.auth0@example.com", "Auth0-Password-2", /^\$argon2d\$/);
  });

  it("Clerk CSV: quoted fields, verified addresses, bcrypt/Argon2id/Argon2i digests; no TOTP secret copied", async () => {
    const { users, refusals } = await read("clerk", "clerk.csv");
    expect(refusals).toEqual([{ record: 5, code: "unreadable_record" }]);
    const result = await h.hj.users.import({ users: users.map(toParams) });
    expect(result).toMatchObject({ created: 3, skipped: 0, refused: 1 });
    expect(result.results[3]).toMatchObject({ status: "refused", email: "not-an-email", error: { code: "invalid_email", param: "email" } });
    const grace = await h.hj.users.getByEmail("grace.clerk@example.com");
    expect(grace).toMatchObject({ firstName: "Grace", lastName: "Hopper", username: "grace", emailVerified: true, phoneNumber: "+14155550100" });
    expect(grace.metadata.imported).toMatchObject({ source: "clerk", id: "user_2a", had_totp: true, password_hasher: "bcrypt" });
    expect(grace.metadata.imported).not.toHaveProperty("username");
    expect(await h.hj.users.getByEmail("edsger.clerk@example.com")).toMatchObject({ username: null, metadata: { imported: { username: "e w dijkstra" } } });
    expect(JSON.stringify(grace.metadata)).not.toContain("JBSWY3DPEHPK3PXP");
    expect(await h.hj.users.getByEmail("alan.clerk@example.com")).toMatchObject({ lastName: "Turing, Jr.", emailVerified: false });
    await signsInAndUpgrades("grace.clerk@example.com", "Clerk-Password-1", /^\$2b\$/);
    await signsInAndUpgrades("alan.clerk@example.com", "Clerk-Password-2", /^\$argon2id\$v=19\$m=4096,t=2,p=1\$/);
    await signsInAndUpgrades("edsger.clerk@example.com", "Clerk-Password-3", /^\$argon2i\$/);
  });

  it("Firebase auth:export JSON: the published scrypt test vector signs in; display name, custom claims, disabled", async () => {
    const { users, refusals } = await read("firebase", "firebase.json");
    expect(refusals).toEqual([{ record: 3, code: "missing_email" }]);
    expect(await h.hj.users.import({ users: users.map(toParams) })).toMatchObject({ created: 2, skipped: 0, refused: 0 });
    const kj = await h.hj.users.getByEmail("user1.firebase@example.com");
    expect(kj).toMatchObject({ firstName: "Katherine G.", lastName: "Johnson", emailVerified: true, avatarUrl: "https://example.com/kj.png" });
    expect(kj.createdAt.toISOString()).toBe("2017-02-07T20:35:35.553Z");
    expect(kj.metadata.imported).toMatchObject({ source: "firebase", id: "fb-user-1", displayName: "Katherine G. Johnson", lastSignedInAt: "1486499735553" });
    const other = await h.hj.users.getByEmail("disabled.firebase@example.com");
    expect(other).toMatchObject({ disabled: true, phoneNumber: "+447700900123", metadata: { role: "admin" } });
    expect(JSON.stringify(kj.metadata)).not.toContain("lSrfV15c");
    await signsInAndUpgrades("user1.firebase@example.com", "user1password", /^\$firebase-scrypt\$v=1,n=14,r=8\$/);
  });

  it("Supabase auth.users CSV: $2a$ bcrypt, names from user metadata, bans, deleted users refused, no tokens copied", async () => {
    const { users, refusals } = await read("supabase", "supabase.csv");
    expect(refusals).toEqual([{ record: 3, code: "deleted_at_source" }]);
    const result = await h.hj.users.import({ users: users.map(toParams) });
    expect(result).toMatchObject({ created: 2, refused: 1 });
    expect(result.results[2]).toMatchObject({ status: "refused", error: { code: "invalid_password_hash", param: "password_hash" } });
    const mary = await h.hj.users.getByEmail("mary.supabase@example.com");
    expect(mary).toMatchObject({
      firstName: "Mary",
      lastName: "Jackson",
      emailVerified: true,
      phoneNumber: "+14155550142",
      avatarUrl: "https://example.com/mj.png",
      disabled: false,
    });
    expect(mary.createdAt.toISOString()).toBe("2023-05-01T09:59:00.000Z");
    expect(mary.metadata).toMatchObject({
      team: "wind tunnel",
      imported: { source: "supabase", id: "6f1b2c3d-0000-4000-8000-000000000001", raw_app_meta_data: { provider: "email" } },
    });
    const banned = await h.hj.users.getByEmail("banned.supabase@example.com");
    expect(banned).toMatchObject({ disabled: true, firstName: "Dorothy", lastName: "Vaughan" });
    expect(JSON.stringify(banned.metadata)).not.toContain("secret-confirmation-token");
    expect((banned.metadata.imported as { omitted_credentials: string[] }).omitted_credentials).toEqual(["confirmation_token"]);
    await signsInAndUpgrades("mary.supabase@example.com", "Supabase-Password-1", /^\$2a\$10\$/);
    await expect(h.hj.sessions.signInWithPassword({ email: "banned.supabase@example.com", password: "Supabase-Password-2" })).rejects.toMatchObject({ status: 403 });
  });

  it("a HelloJohn file may carry plaintext passwords: they are hashed, never kept in metadata", async () => {
    async function* lines(): AsyncGenerator<string> {
      yield `${JSON.stringify({ email: "plain.hj@example.com", password: "Plaintext-Password-2", memberships: [{ org_id: "org_x", role: "admin" }] })}\n`;
    }
    const records = [];
    for await (const r of readerFor("hellojohn")(lines())) records.push(r);
    const user = (records[0] as { user: ImportUserInput }).user;
    expect(JSON.stringify(user.metadata)).not.toContain("Plaintext-Password-2");
    await h.hj.users.import({ users: [{ ...toParams(user), password: user.password }] });
    expect((await h.hj.users.getByEmail("plain.hj@example.com")).metadata).toMatchObject({ imported: { source: "hellojohn", memberships: [{ org_id: "org_x" }] } });
    await signsInAndUpgrades("plain.hj@example.com", "Plaintext-Password-2", /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
  });

  it("a batch is idempotent under its key, and a batch sent again skips everyone instead of duplicating", async () => {
    const batch = {
      users: [
        { email: email("idem"), passwordHash: bcrypt.hashSync("Idempotent-1", 4) },
        { email: email("idem"), password: "Plaintext-Password-1" },
      ],
    };
    const first = await h.hj.users.import(batch, { idempotencyKey: `import-${email("key")}` });
    expect(first).toMatchObject({ created: 2, skipped: 0 });
    const replay = await h.hj.users.import(batch, { idempotencyKey: first.results[0]?.id ?? "unused" });
    expect(replay).toMatchObject({ created: 0, skipped: 2 });
    expect(replay.results.map((r) => r.error?.code)).toEqual(["user_exists", "user_exists"]);
    const key = `import-${email("same-key")}`;
    const third = { users: [{ email: email("idem3") }] };
    const once = await h.hj.users.import(third, { idempotencyKey: key });
    expect(await h.hj.users.import(third, { idempotencyKey: key })).toEqual(once);
    expect(once.created).toBe(1);
    const session = await h.hj.sessions.signInWithPassword({ email: batch.users[1]?.email as string, password: "Plaintext-Password-1" });
    expect(session.accessToken).toEqual(expect.any(String));
  });

  it("refuses bad rows one by one with the reason and param, and a malformed batch as a whole with a 400", async () => {
    const argon2id = await argon2Hash("whatever-1", { memoryCost: 1024, timeCost: 1, parallelism: 1 });
    const result = await h.hj.users.import({
      users: [
        { email: email("ok"), passwordHash: argon2id },
        { email: email("both"), password: "Password-123", passwordHash: argon2id },
        { email: email("phone"), phoneNumber: "0415 555" },
        { email: email("date"), createdAt: "yesterday" },
        { email: email("bcrypt-cost"), passwordHash: `$2b$31$${"a".repeat(53)}` },
        { email: email("argon-cost"), passwordHash: "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaA" },
        { email: email("short"), password: "short" },
        { email: email("id"), id: "usr_nope" },
      ],
    });
    expect(result.created).toBe(1);
    expect(result.results.slice(1).map((r) => [r.status, r.error?.code, r.error?.param])).toEqual([
      ["refused", "password_and_hash", "password"],
      ["refused", "invalid_phone_number", "phone_number"],
      ["refused", "invalid_created_at", "created_at"],
      ["refused", "invalid_password_hash", "password_hash"],
      ["refused", "invalid_password_hash", "password_hash"],
      ["refused", "invalid_password", "password"],
      ["refused", "invalid_id", "id"],
    ]);
    await expect(h.hj.users.import({ users: [] })).rejects.toMatchObject({ status: 400, param: "users" });
    await expect(h.hj.users.import({ users: Array.from({ length: 1001 }, () => ({ email: email("many") })) })).rejects.toMatchObject({ status: 400, param: "users" });
    // The SDK names an unknown field before sending; the server does the same for any other client.
    await expect(h.hj.users.import({ users: [{ email: email("x"), nickname: "x" } as never] })).rejects.toMatchObject({ code: "unknown_param", param: "users.0.nickname" });
    const raw = await fetch(`${h.t.url}/v1/users/import`, {
      method: "POST",
      headers: { authorization: `Bearer ${h.t.secretKey}`, "hellojohn-tenant-id": h.t.tenantId, "content-type": "application/json" },
      body: JSON.stringify({ users: [{ email: email("x"), nickname: "x" }] }),
    });
    expect(raw.status).toBe(400);
    expect(await raw.json()).toMatchObject({ error: { code: "unknown_param", param: "users.0.nickname" } });
  });
});
