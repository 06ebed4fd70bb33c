import type { ImportUserInput } from "../contract/wire.js";
import { checkUsername } from "../domain/validation.js";

/** The sources `users import --from` reads. */
export type ImportSource = "auth0" | "clerk" | "firebase" | "supabase" | "hellojohn";

/**
 * The metadata key that keeps what a provider exported and HelloJohn has no
 * field for: `metadata.imported = { source, id, …fields }`. Nothing is dropped
 * silently; the few secrets that are left out on purpose are listed in the README.
 */
export const IMPORTED_METADATA_KEY = "imported";

/** One record of an export file, mapped to a user to import or refused with a reason. */
export type ImportRecord = { record: number; user: ImportUserInput } | { record: number; refusal: { code: string; message: string; param: string | null } };

const E164 = /^\+[1-9]\d{6,14}$/;

/** A value that is present: not undefined, null or the empty string (CSV's "no value"). */
export const present = <T>(value: T | null | undefined | ""): value is T => value !== undefined && value !== null && value !== "";

/** A phone number for the `phone_number` field, or undefined when it is not E.164 (it then stays in `imported`). */
export function e164(value: unknown): string | undefined {
  if (typeof value !== "string" || value === "") return undefined;
  const candidate = /^\d{7,15}$/.test(value) ? `+${value}` : value;
  return E164.test(candidate) ? candidate : undefined;
}

/**
 * A provider's username for the `username` field, or undefined when it does not
 * meet HelloJohn's username rules (it then stays in `imported`, as a phone
 * number that is not E.164 does, instead of refusing the user).
 */
export function validUsername(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  try {
    return checkUsername(value) ?? undefined;
  } catch {
    return undefined;
  }
}

/** "Ada Lovelace" → first "Ada", last "Lovelace"; one word is a first name. */
export function splitName(full: unknown): { first_name?: string; last_name?: string } {
  if (typeof full !== "string" || full.trim() === "") return {};
  const words = full.trim().split(/\s+/);
  if (words.length === 1) return { first_name: words[0] as string };
  return { first_name: words.slice(0, -1).join(" "), last_name: words[words.length - 1] as string };
}

/** A date (ISO string, epoch milliseconds as number or digits) as ISO 8601, or undefined. */
export function isoDate(value: unknown): string | undefined {
  if (value === undefined || value === null || value === "") return undefined;
  // PostgreSQL's text form ("2023-05-01 10:00:00.123+00") needs a "T" and a full offset to be ISO 8601.
  const text = String(value)
    .replace(" ", "T")
    .replace(/([+-]\d\d)$/, "$1:00");
  const ms = typeof value === "number" ? value : /^\d+$/.test(String(value)) ? Number(value) : Date.parse(text);
  return Number.isFinite(ms) ? new Date(ms).toISOString() : undefined;
}

/** A boolean from JSON or CSV ("true"/"t"/"1"). */
export const truthy = (value: unknown): boolean => value === true || value === "true" || value === "t" || value === "TRUE" || value === "1" || value === 1;

/** A JSON object from a value or its text, or undefined. */
export function jsonObject(value: unknown): Record<string, unknown> | undefined {
  let parsed = value;
  if (typeof value === "string") {
    if (value.trim() === "") return undefined;
    try {
      parsed = JSON.parse(value);
    } catch {
      return undefined;
    }
  }
  return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/** Drops undefined, null and "" entries. */
export function compact<T extends Record<string, unknown>>(fields: T): Partial<T> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => present(v))) as Partial<T>;
}

/** A refusal of a record that cannot become a user. */
export const refuse = (record: number, code: string, message: string, param: string | null = null): ImportRecord => ({ record, refusal: { code, message, param } });

/** Names of fields that hold live credentials (OAuth tokens in Auth0 identities, one-time tokens, TOTP secrets). */
const CREDENTIAL = /token|secret|^password$/i;

/** Copies `value` without credential fields at any depth, noting the dotted path of each one left out. */
function withoutCredentials(value: unknown, path: string, omitted: string[]): unknown {
  if (Array.isArray(value)) return value.map((item, i) => withoutCredentials(item, `${path}.${i}`, omitted));
  if (typeof value !== "object" || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (CREDENTIAL.test(key)) omitted.push(`${path}.${key}`.replace(/^\./, ""));
    else out[key] = withoutCredentials(child, `${path}.${key}`, omitted);
  }
  return out;
}

/**
 * Assembles the user: `metadata` gets the provider's own user metadata, and
 * `metadata.imported` the source, its user ID and every field with no home,
 * except credentials (tokens, secrets), whose names are listed in
 * `imported.omitted_credentials` instead.
 */
export function importedUser(
  record: number,
  fields: Omit<ImportUserInput, "metadata">,
  source: ImportSource,
  sourceId: unknown,
  userMetadata: Record<string, unknown> | undefined,
  unmapped: Record<string, unknown>,
): ImportRecord {
  const omitted: string[] = [];
  const kept = withoutCredentials(compact(unmapped), "", omitted) as Record<string, unknown>;
  const imported = { source, ...(present(sourceId) ? { id: sourceId } : {}), ...kept, ...(omitted.length > 0 ? { omitted_credentials: omitted } : {}) };
  return { record, user: { ...(compact(fields) as ImportUserInput), metadata: { ...userMetadata, [IMPORTED_METADATA_KEY]: imported } } };
}
