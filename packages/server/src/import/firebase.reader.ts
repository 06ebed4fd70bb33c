import { firebaseScryptHash, type FirebaseHashParameters } from "../crypto/imported-hashes.js";
import { jsonArrayRecords } from "./text-records.js";
import { e164, importedUser, isoDate, jsonObject, present, refuse, splitName, truthy, type ImportRecord } from "./import-record.js";

// Firebase's `firebase auth:export users.json --format=json`: {"users": [ … ]}.
const MAPPED = new Set(["localId", "email", "emailVerified", "displayName", "photoUrl", "phoneNumber", "disabled", "createdAt", "customAttributes", "passwordHash", "salt"]);

/** Reads a Firebase auth:export JSON file; password hashes need the project's hash parameters. */
export async function* readFirebase(chunks: AsyncIterable<string>, params: FirebaseHashParameters | undefined): AsyncGenerator<ImportRecord> {
  for await (const raw of jsonArrayRecords(chunks, "users")) {
    if ("error" in raw) {
      yield refuse(raw.record, "unreadable_record", raw.error);
      continue;
    }
    const user = jsonObject(raw.value);
    if (user === undefined) {
      yield refuse(raw.record, "unreadable_record", "element is not a JSON object");
      continue;
    }
    if (!present(user.email)) {
      yield refuse(raw.record, "missing_email", "the user has no email (HelloJohn users sign in by email)", "email");
      continue;
    }
    let passwordHash: string | undefined;
    if (present(user.passwordHash)) {
      if (params === undefined) {
        yield refuse(
          raw.record,
          "firebase_hash_parameters_missing",
          "the user has a Firebase scrypt hash: pass the project's --firebase-signer-key, --firebase-salt-separator, --firebase-rounds and --firebase-mem-cost",
          "password_hash",
        );
        continue;
      }
      passwordHash = firebaseScryptHash(params, String(user.salt ?? ""), String(user.passwordHash));
    }
    const phone = e164(user.phoneNumber);
    const unmapped: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(user)) if (!MAPPED.has(key)) unmapped[key] = value;
    if (present(user.displayName)) unmapped.displayName = user.displayName;
    if (present(user.phoneNumber) && phone === undefined) unmapped.phoneNumber = user.phoneNumber;
    const custom = jsonObject(user.customAttributes);
    if (present(user.customAttributes) && custom === undefined) unmapped.customAttributes = user.customAttributes;
    yield importedUser(
      raw.record,
      {
        email: String(user.email),
        email_verified: truthy(user.emailVerified),
        ...splitName(user.displayName),
        phone_number: phone,
        avatar_url: typeof user.photoUrl === "string" && /^https?:\/\//.test(user.photoUrl) ? user.photoUrl : undefined,
        disabled: truthy(user.disabled),
        created_at: isoDate(user.createdAt),
        password_hash: passwordHash,
      },
      "firebase",
      user.localId,
      custom,
      unmapped,
    );
  }
}
