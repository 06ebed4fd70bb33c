import { ApiError } from "../domain/api-error.js";

/**
 * The deepest a request body may nest. Metadata has its own, tighter cap (10
 * levels, checked by the service); this one bounds everything else before any
 * code that recurses over the body (validation, fingerprints, serialization) runs.
 */
export const MAX_BODY_DEPTH = 32;

// A NUL (PostgreSQL text cannot hold one; SQLite cuts strings at it) or a UTF-16
// surrogate without its other half (not encodable as UTF-8).
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when `text` holds a character no database can store faithfully. */
export const isUnstorable = (text: string): boolean => UNSTORABLE.test(text);

const dotted = (path: readonly (string | number)[], fallback: string): string => (path.length === 0 ? fallback : path.join("."));

function unstorable(param: string): ApiError {
  return new ApiError(400, "invalid_characters", `"${param}" contains a NUL character or an unpaired UTF-16 surrogate`, param);
}

function tooDeep(path: readonly (string | number)[]): ApiError {
  // Name the top-level field; metadata keeps the code its own depth check uses.
  const field = String(path[0] ?? "body");
  const metadata = path.includes("metadata");
  return new ApiError(
    400,
    metadata ? "metadata_too_deep" : "body_too_deep",
    `"${field}" nests deeper than the API allows (${MAX_BODY_DEPTH} levels for a request body, 10 for metadata)`,
    metadata ? dotted(path.slice(0, path.indexOf("metadata") + 1), "metadata") : field,
  );
}

/**
 * Refuses a request part that nests deeper than {@link MAX_BODY_DEPTH} or holds
 * an unstorable string in any key or value. Iterative, so a body nested
 * thousands of levels deep is refused without using the stack.
 */
export function checkRequestPart(value: unknown, fallbackParam: string): void {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value, path: [] }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop() as { value: unknown; path: (string | number)[] };
    if (typeof current === "string") {
      if (isUnstorable(current)) throw unstorable(dotted(path, fallbackParam));
      continue;
    }
    if (typeof current !== "object" || current === null) continue;
    if (path.length >= MAX_BODY_DEPTH) throw tooDeep(path);
    if (Array.isArray(current)) {
      for (let i = 0; i < current.length; i++) stack.push({ value: current[i], path: [...path, i] });
      continue;
    }
    for (const [key, child] of Object.entries(current)) {
      if (isUnstorable(key)) throw unstorable(dotted([...path, key], fallbackParam));
      stack.push({ value: child, path: [...path, key] });
    }
  }
}

/** Set on a parsed query whose percent-encoding was malformed: the name of the first bad parameter. */
const MALFORMED = Symbol("malformedQueryParam");

/**
 * Parses a query string strictly: a malformed percent-encoding (or one that
 * decodes to a lone surrogate's bytes) is remembered and refused by
 * {@link checkQuery} as a 400 naming the parameter, instead of becoming a raw
 * string that silently means something else. Repeated keys become arrays.
 * (It never throws: Fastify's router does not route parser errors.)
 */
export function parseQueryString(text: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  let malformed: string | undefined;
  for (const pair of text.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const rawKey = eq === -1 ? pair : pair.slice(0, eq);
    const decodedKey = decodeComponent(rawKey);
    const key = decodedKey ?? rawKey;
    const value = decodeComponent(eq === -1 ? "" : pair.slice(eq + 1));
    if (decodedKey === undefined || value === undefined) malformed ??= key;
    if (key === "__proto__" || key === "constructor" || key === "prototype") continue;
    const text = value ?? "";
    const existing = out[key];
    out[key] = existing === undefined ? text : Array.isArray(existing) ? [...existing, text] : [existing, text];
  }
  if (malformed !== undefined) Object.defineProperty(out, MALFORMED, { value: malformed, enumerable: false });
  return out;
}

function decodeComponent(raw: string): string | undefined {
  try {
    return decodeURIComponent(raw.replace(/\+/g, " "));
  } catch {
    return undefined;
  }
}

/** Refuses a query string that {@link parseQueryString} found malformed, then checks it like any request part. */
export function checkQuery(query: unknown): void {
  const malformed = typeof query === "object" && query !== null ? (query as { [MALFORMED]?: string })[MALFORMED] : undefined;
  if (malformed !== undefined) {
    throw new ApiError(400, "invalid_characters", `"${malformed}" is not validly percent-encoded UTF-8`, malformed);
  }
  checkRequestPart(query, "query");
}
