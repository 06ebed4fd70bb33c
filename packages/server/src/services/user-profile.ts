import { withoutNulls } from "../domain/merge-patch.js";
import { checkAvatarUrl, checkMetadataDepth, checkName, checkPhoneNumber, checkUsername, normalizeEmail, serializeMetadata } from "../domain/validation.js";
import type { UserRow } from "../store/users.store.js";

/** The lower-cased full name that search matches against. */
export const nameLower = (first: string | null, last: string | null): string =>
  [first, last]
    .filter((p) => p !== null)
    .join(" ")
    .toLowerCase();

/** What a new user's profile is made from, as the API receives it (create and import). */
export interface NewProfileInput {
  email: string;
  username?: string | null;
  first_name?: string | null;
  last_name?: string | null;
  phone_number?: string | null;
  avatar_url?: string | null;
  email_verified?: boolean;
  metadata?: Record<string, unknown>;
}

/**
 * Validates a new user's profile, field by field in a fixed order (the first
 * bad one is the 400's `param`), and derives its lookup columns.
 */
export function newProfile(
  input: NewProfileInput,
): Pick<
  UserRow,
  "email" | "email_lower" | "email_verified" | "username" | "username_lower" | "first_name" | "last_name" | "name_lower" | "phone_number" | "avatar_url" | "metadata"
> {
  const email = normalizeEmail(input.email);
  const username = checkUsername(input.username ?? null);
  const firstName = checkName(input.first_name ?? null, "first_name");
  const lastName = checkName(input.last_name ?? null, "last_name");
  checkMetadataDepth(input.metadata);
  const metadata = serializeMetadata(withoutNulls(input.metadata ?? {}));
  const phone = checkPhoneNumber(input.phone_number ?? null);
  const avatar = checkAvatarUrl(input.avatar_url ?? null);
  return {
    email,
    email_lower: email.toLowerCase(),
    email_verified: input.email_verified === true ? 1 : 0,
    username,
    username_lower: username?.toLowerCase() ?? null,
    first_name: firstName,
    last_name: lastName,
    name_lower: nameLower(firstName, lastName),
    phone_number: phone,
    avatar_url: avatar,
    metadata,
  };
}
