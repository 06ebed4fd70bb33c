import { ndjsonRecords } from "./text-records.js";
import { e164, importedUser, isoDate, jsonObject, present, refuse, truthy, type ImportRecord, validUsername } from "./import-record.js";

// Auth0's user export (an export job, NDJSON), or the password-hash export Auth0
// support hands out (`_id.$oid`, `passwordHash`). Fields named here are mapped;
// every other field goes to metadata.imported.
const MAPPED = new Set([
  "email",
  "email_verified",
  "given_name",
  "family_name",
  "username",
  "phone_number",
  "picture",
  "user_metadata",
  "created_at",
  "blocked",
  "passwordHash",
  "password_hash",
  "custom_password_hash",
  "user_id",
  "_id",
]);

function passwordHash(user: Record<string, unknown>): string | undefined {
  for (const value of [user.passwordHash, user.password_hash]) if (typeof value === "string" && value !== "") return value;
  const custom = jsonObject(user.custom_password_hash);
  const hash = jsonObject(custom?.hash)?.value;
  return typeof hash === "string" ? hash : undefined;
}

/** Reads an Auth0 NDJSON user export. */
export async function* readAuth0(chunks: AsyncIterable<string>): AsyncGenerator<ImportRecord> {
  for await (const raw of ndjsonRecords(chunks)) {
    if ("error" in raw) {
      yield refuse(raw.record, "unreadable_record", raw.error);
      continue;
    }
    const user = jsonObject(raw.value);
    if (user === undefined) {
      yield refuse(raw.record, "unreadable_record", "line is not a JSON object");
      continue;
    }
    if (!present(user.email)) {
      yield refuse(raw.record, "missing_email", "the user has no email (HelloJohn users sign in by email)", "email");
      continue;
    }
    const oid = jsonObject(user._id)?.$oid ?? user._id;
    const phone = e164(user.phone_number);
    const unmapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(user)) if (!MAPPED.has(key)) unmapped[key] = value;
    if (present(user.phone_number) && phone === undefined) unmapped.phone_number = user.phone_number;
    const username = validUsername(user.username);
    if (present(user.username) && username === undefined) unmapped.username = user.username;
    const customHash = jsonObject(user.custom_password_hash);
    if (customHash !== undefined) unmapped.custom_password_hash_algorithm = customHash.algorithm;
    yield importedUser(
      raw.record,
      {
        email: String(user.email),
        email_verified: truthy(user.email_verified),
        first_name: typeof user.given_name === "string" ? user.given_name : undefined,
        last_name: typeof user.family_name === "string" ? user.family_name : undefined,
        username,
        phone_number: phone,
        avatar_url: typeof user.picture === "string" && /^https?:\/\//.test(user.picture) ? user.picture : undefined,
        disabled: truthy(user.blocked),
        created_at: isoDate(user.created_at),
        password_hash: passwordHash(user),
      },
      "auth0",
      user.user_id ?? oid,
      jsonObject(user.user_metadata),
      unmapped,
    );
  }
}
