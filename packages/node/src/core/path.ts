import { ValidationError } from "./errors.js";

/** Refuses a non-string or empty argument before any request is made, naming it. */
export function requireNonEmpty(value: unknown, param: string): string {
  if (typeof value !== "string" || value === "") {
    throw new ValidationError(`"${param}" must be a non-empty string`, {
      type: "validation_error",
      code: param.endsWith("Id") ? "invalid_id" : "invalid_value",
      param,
    });
  }
  return value;
}

/** Encodes an ID for a URL path; an empty ID would silently hit a different route. */
export function pathId(value: unknown, param: string): string {
  return encodeURIComponent(requireNonEmpty(value, param));
}
