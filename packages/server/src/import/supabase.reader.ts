import { csvRecords } from "./text-records.js";
import { e164, importedUser, isoDate, jsonObject, present, refuse, splitName, type ImportRecord } from "./import-record.js";

// Supabase's auth.users table as CSV (`\copy auth.users to 'users.csv' csv header`,
// or the dashboard's table export).
const MAPPED = new Set(["id", "email", "encrypted_password", "email_confirmed_at", "phone", "raw_user_meta_data", "created_at", "banned_until", "deleted_at"]);

/** Reads a Supabase auth.users CSV export. */
export async function* readSupabase(chunks: AsyncIterable<string>, now: number = Date.now()): AsyncGenerator<ImportRecord> {
  for await (const raw of csvRecords(chunks)) {
    if ("error" in raw) {
      yield refuse(raw.record, "unreadable_record", raw.error);
      continue;
    }
    const row = raw.value;
    if (present(row.deleted_at)) {
      yield refuse(raw.record, "deleted_at_source", `the user was deleted at Supabase (deleted_at ${row.deleted_at})`, "deleted_at");
      continue;
    }
    if (!present(row.email)) {
      yield refuse(raw.record, "missing_email", "the user has no email (HelloJohn users sign in by email)", "email");
      continue;
    }
    const meta = jsonObject(row.raw_user_meta_data) ?? {};
    const names =
      typeof meta.first_name === "string" || typeof meta.last_name === "string"
        ? { first_name: meta.first_name as string | undefined, last_name: meta.last_name as string | undefined }
        : splitName(meta.full_name ?? meta.name);
    const avatar = [meta.avatar_url, meta.picture].find((v): v is string => typeof v === "string" && /^https?:\/\//.test(v));
    const bannedUntil = isoDate(row.banned_until);
    const phone = e164(row.phone);
    const unmapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(row)) if (!MAPPED.has(key)) unmapped[key] = key.startsWith("raw_") ? (jsonObject(value) ?? value) : value;
    if (present(row.phone) && phone === undefined) unmapped.phone = row.phone;
    if (present(row.banned_until)) unmapped.banned_until = row.banned_until;
    yield importedUser(
      raw.record,
      {
        email: row.email as string,
        email_verified: present(row.email_confirmed_at),
        ...names,
        phone_number: phone,
        avatar_url: avatar,
        disabled: bannedUntil !== undefined && Date.parse(bannedUntil) > now,
        created_at: isoDate(row.created_at),
        password_hash: present(row.encrypted_password) ? row.encrypted_password : undefined,
      },
      "supabase",
      row.id,
      meta,
      unmapped,
    );
  }
}
