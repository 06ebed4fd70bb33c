import { csvRecords } from "./text-records.js";
import { e164, importedUser, present, refuse, type ImportRecord, validUsername } from "./import-record.js";

// Clerk's dashboard export (CSV): id, first_name, last_name, username,
// primary_email_address, primary_phone_number, verified_email_addresses,
// unverified_email_addresses, verified_phone_numbers, unverified_phone_numbers,
// totp_secret, password_digest, password_hasher.

/** Clerk lists several addresses in one cell. */
const list = (cell: string | undefined): string[] => (cell ?? "").split(/[|,;\s]+/).filter((s) => s !== "");

/** Reads a Clerk CSV user export. */
export async function* readClerk(chunks: AsyncIterable<string>): AsyncGenerator<ImportRecord> {
  for await (const raw of csvRecords(chunks)) {
    if ("error" in raw) {
      yield refuse(raw.record, "unreadable_record", raw.error);
      continue;
    }
    const row = raw.value;
    const email = row.primary_email_address ?? "";
    if (email === "") {
      yield refuse(raw.record, "missing_email", "the user has no primary_email_address (HelloJohn users sign in by email)", "email");
      continue;
    }
    const verified = list(row.verified_email_addresses).map((e) => e.toLowerCase());
    const phone = e164(row.primary_phone_number);
    const username = validUsername(row.username);
    const { id, first_name, last_name, username: clerkUsername, primary_email_address, primary_phone_number, totp_secret, password_digest, ...rest } = row;
    const unmapped: Record<string, unknown> = { ...rest };
    if (present(primary_phone_number) && phone === undefined) unmapped.primary_phone_number = primary_phone_number;
    if (present(clerkUsername) && username === undefined) unmapped.username = clerkUsername;
    // The TOTP secret is a live credential: it is not copied into metadata, only noted.
    if (present(totp_secret)) unmapped.had_totp = true;
    yield importedUser(
      raw.record,
      {
        email,
        email_verified: verified.includes(email.toLowerCase()),
        first_name,
        last_name,
        username,
        phone_number: phone,
        password_hash: present(password_digest) ? password_digest : undefined,
      },
      "clerk",
      id,
      undefined,
      unmapped,
    );
  }
}
