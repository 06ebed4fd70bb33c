import { ndjsonRecords } from "./text-records.js";
import { importedUser, jsonObject, present, refuse, type ImportRecord } from "./import-record.js";

// The NDJSON `hellojohn-server users export` writes: the user as the API shows
// it, `memberships`, and `password_hash` when exported with --with-password-hashes.
// A hand-written file may give a plaintext `password` instead (hashed on import).
// IDs are kept; memberships (organizations of another server) go to metadata.imported.

/** Reads a HelloJohn NDJSON export. */
export async function* readHelloJohn(chunks: AsyncIterable<string>): AsyncGenerator<ImportRecord> {
  for await (const raw of ndjsonRecords(chunks)) {
    if ("error" in raw) {
      yield refuse(raw.record, "unreadable_record", raw.error);
      continue;
    }
    const user = jsonObject(raw.value);
    if (user === undefined || !present(user.email)) {
      yield refuse(raw.record, "missing_email", "the line is not a user with an email", "email");
      continue;
    }
    const { id, email, email_verified, username, first_name, last_name, phone_number, avatar_url, metadata, disabled, created_at, password, password_hash, ...rest } = user;
    const { imported: previous, ...userMetadata } = jsonObject(metadata) ?? {};
    const unmapped: Record<string, unknown> = { ...rest };
    if (previous !== undefined) unmapped.previous = previous;
    const record = importedUser(
      raw.record,
      {
        id: typeof id === "string" ? id : undefined,
        email: String(email),
        email_verified: email_verified === true,
        username: username as string | null | undefined,
        first_name: first_name as string | null | undefined,
        last_name: last_name as string | null | undefined,
        phone_number: phone_number as string | null | undefined,
        avatar_url: avatar_url as string | null | undefined,
        disabled: disabled === true,
        created_at: typeof created_at === "string" ? created_at : undefined,
        password: typeof password === "string" ? password : undefined,
        password_hash: typeof password_hash === "string" ? password_hash : undefined,
      },
      "hellojohn",
      undefined,
      userMetadata,
      unmapped,
    );
    yield record;
  }
}
