import { withoutNulls } from "../domain/merge-patch.js";
import { checkAvatarUrl, checkMetadataDepth, checkName, checkPhoneNumber, checkUsername, normalizeEmail, serializeMetadata } from "../domain/validation.js";
import type { UserRow } from "../store/users.store.js";

/** The lower-cased full name that search matches against. */
export const nameLower = (first: string | null, last: string | null): string =>
  [first, last]
    .filter((p) => p !== null)
    .join(" ")
    .toLowerCase();

/** What a new user's profile is made from (create and import); a field not given is `null` (`false` for `emailVerified`). */
export interface NewProfile {
  email: string;
  username?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  phoneNumber?: string | null;
  avatarUrl?: string | null;
  emailVerified?: boolean;
  metadata?: Record<string, unknown>;
}

/**
 * Validates a new user's profile, field by field in a fixed order (the first
 * bad one is the 400's `param`), and derives its lookup columns.
 */
export function newProfile(
  input: NewProfile,
): Pick<
  UserRow,
  "email" | "email_lower" | "email_verified" | "username" | "username_lower" | "first_name" | "last_name" | "name_lower" | "phone_number" | "avatar_url" | "metadata"
> {
  const email = normalizeEmail(input.email);
  const username = checkUsername(input.username ?? null);
  const firstName = checkName(input.firstName ?? null, "first_name");
  const lastName = checkName(input.lastName ?? null, "last_name");
  checkMetadataDepth(input.metadata);
  const metadata = serializeMetadata(withoutNulls(input.metadata ?? {}));
  const phone = checkPhoneNumber(input.phoneNumber ?? null);
  const avatar = checkAvatarUrl(input.avatarUrl ?? null);
  return {
    email,
    email_lower: email.toLowerCase(),
    email_verified: input.emailVerified === true ? 1 : 0,
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
