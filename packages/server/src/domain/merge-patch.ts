type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const isObject = (value: unknown): value is Record<string, Json> => typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * RFC 7396 JSON Merge Patch: objects merge recursively, `null` deletes a key
 * at any depth, arrays and scalars replace.
 */
export function mergePatch(target: unknown, patch: unknown): Json {
  if (!isObject(patch)) return patch as Json;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

/** Drops `null` members recursively: what a merge patch means when there is nothing to merge into. */
export function withoutNulls(value: Record<string, unknown>): Record<string, Json> {
  return mergePatch({}, value) as Record<string, Json>;
}
