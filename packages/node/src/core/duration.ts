import { ValidationError } from "./errors.js";

const UNIT_SECONDS = { s: 1, m: 60, h: 3600 } as const;

/** Converts `90`, `"90s"`, `"15m"` or `"1h"` to whole seconds; anything else names `param` in the error. */
export function parseDuration(value: unknown, param: string): number {
  if (typeof value === "number" && Number.isInteger(value)) return value;
  if (typeof value === "string") {
    const match = /^(\d+)\s*([smh])$/.exec(value.trim());
    if (match) return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
  }
  throw new ValidationError(`"${param}" must be a whole number of seconds or a string like "90s", "15m" or "1h"`, {
    type: "validation_error",
    code: "invalid_duration",
    param,
  });
}
