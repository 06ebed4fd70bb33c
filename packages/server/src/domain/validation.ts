import { isId, type IdPrefix } from "../crypto/ids.js";
import { AvatarUrl, Email, Password, PersonName, PhoneNumber, Username } from "../contract/schemas.js";
import { invalid } from "./api-error.js";

/** Serialized metadata may not exceed this many bytes. */
export const METADATA_MAX_BYTES = 16 * 1024;
const METADATA_MAX_DEPTH = 10;

// Pragmatic, not RFC 5322: one @, no spaces, a dotted domain.
const EMAIL = /^[^\s@]+@[^\s@.]+(\.[^\s@.]+)+$/;
const E164 = new RegExp(`^\\+[1-9]\\d{6,${PhoneNumber.maxLength - 2}}$`);

/** Trims and checks an email; the stored form keeps the caller's case, lookups use lower case. */
export function normalizeEmail(value: string, param = "email"): string {
  const email = value.trim();
  if (email.length > Email.maxLength || !EMAIL.test(email)) throw invalid(param, "invalid_email", `"${param}" is not a valid email address`);
  return email;
}

export function checkPhoneNumber(value: string | null): string | null {
  if (value === null) return null;
  if (!E164.test(value)) {
    throw invalid("phone_number", "invalid_phone_number", '"phone_number" must be in E.164 format, e.g. +14155550123');
  }
  return value;
}

export function checkAvatarUrl(value: string | null): string | null {
  if (value === null) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid("avatar_url", "invalid_avatar_url", '"avatar_url" must be an http(s) URL');
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || value.length > AvatarUrl.maxLength) {
    throw invalid("avatar_url", "invalid_avatar_url", `"avatar_url" must be an http(s) URL of at most ${AvatarUrl.maxLength} characters`);
  }
  return value;
}

export function checkPassword(value: string): string {
  if (value.length < Password.minLength || value.length > Password.maxLength) {
    throw invalid("password", "invalid_password", `"password" must be ${Password.minLength} to ${Password.maxLength} characters`);
  }
  return value;
}

const USERNAME_PATTERN = new RegExp(Username.pattern);

/**
 * A username as the contract's `Username` schema states it (the HTTP edge has
 * checked it already; the CLI import has not), or null to have none.
 */
export function checkUsername(value: string | null, param = "username"): string | null {
  if (value === null) return null;
  if (value.length < Username.minLength || value.length > Username.maxLength || !USERNAME_PATTERN.test(value)) {
    throw invalid(param, "invalid_username", `"${param}" must be ${Username.minLength} to ${Username.maxLength} letters, digits, ".", "_" or "-", starting with a letter or digit`);
  }
  return value;
}

export function checkName(value: string | null, param: string): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  if (trimmed.length > PersonName.maxLength) throw invalid(param, "invalid_name", `"${param}" must be at most ${PersonName.maxLength} characters`);
  return trimmed === "" ? null : trimmed;
}

/**
 * Refuses metadata nested deeper than the cap. Iterative, so hostile input
 * nested thousands of levels deep cannot exhaust the stack before it is refused.
 */
export function checkMetadataDepth(metadata: unknown, param = "metadata"): void {
  const stack: [unknown, number][] = [[metadata, 0]];
  while (stack.length > 0) {
    const [value, level] = stack.pop() as [unknown, number];
    if (typeof value !== "object" || value === null) continue;
    if (level >= METADATA_MAX_DEPTH) {
      throw invalid(param, "metadata_too_deep", `"${param}" may nest at most ${METADATA_MAX_DEPTH} levels`);
    }
    for (const child of Object.values(value)) stack.push([child, level + 1]);
  }
}

/** Serializes metadata, refusing anything over the size cap. Check input with {@link checkMetadataDepth} first. */
export function serializeMetadata(metadata: unknown): string {
  const text = JSON.stringify(metadata);
  if (Buffer.byteLength(text) > METADATA_MAX_BYTES) {
    throw invalid("metadata", "metadata_too_large", `"metadata" must serialize to at most ${METADATA_MAX_BYTES} bytes`);
  }
  return text;
}

/** Checks a path ID: malformed is a 400 `invalid_id`; the caller then 404s a well-formed unknown one. */
export function checkId(value: string, prefix: IdPrefix, param: string): string {
  if (!isId(value, prefix)) throw invalid(param, "invalid_id", `"${param}" is not a valid ID (expected ${prefix}_ followed by 26 characters)`);
  return value;
}
