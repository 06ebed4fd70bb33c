import type { HashingLimits, RateRule, ThrottleRule } from "./limits-options.js";

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600 };

function seconds(text: string, what: string): number {
  const match = /^(\d+)(s|m|h)?$/.exec(text.trim());
  if (match?.[1] === undefined) throw new TypeError(`${what}: "${text}" is not a duration such as 30s, 15m or 1h`);
  const value = Number(match[1]) * (UNIT_SECONDS[match[2] ?? "s"] ?? 1);
  if (value < 1) throw new TypeError(`${what}: "${text}" must be at least 1s`);
  return value;
}

function count(text: string, what: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new TypeError(`${what}: "${text}" is not a positive whole number`);
  return Number(text);
}

/** `"1000/10s"` → 1,000 requests per 10 seconds. */
export function parseRateSpec(spec: string, what: string): RateRule {
  const [requests, window, ...rest] = spec.split("/");
  if (requests === undefined || window === undefined || rest.length > 0) throw new TypeError(`${what}: "${spec}" is not REQUESTS/WINDOW, e.g. 1000/10s`);
  return { requests: count(requests, what), windowSeconds: seconds(window, what) };
}

/** `"5/15m,30s..1h"` → 5 attempts per 15 minutes, then blocked 30 s, doubling up to 1 h. */
export function parseThrottleSpec(spec: string, what: string): ThrottleRule {
  const match = /^([^/]+)\/([^,]+),([^.]+)\.\.(.+)$/.exec(spec.trim());
  if (match === null) throw new TypeError(`${what}: "${spec}" is not ATTEMPTS/WINDOW,BLOCK..MAX_BLOCK, e.g. 5/15m,30s..1h`);
  const [, attempts = "", window = "", block = "", maxBlock = ""] = match;
  const rule = { attempts: count(attempts, what), windowSeconds: seconds(window, what), blockSeconds: seconds(block, what), maxBlockSeconds: seconds(maxBlock, what) };
  if (rule.maxBlockSeconds < rule.blockSeconds) throw new TypeError(`${what}: the longest block (${maxBlock}) is shorter than the first (${block})`);
  return rule;
}

/** `"1,32"` → one Argon2 computation at a time, 32 waiting. */
export function parseHashingSpec(spec: string, what: string): HashingLimits {
  const [concurrency, queue, ...rest] = spec.split(",");
  if (concurrency === undefined || queue === undefined || rest.length > 0) throw new TypeError(`${what}: "${spec}" is not CONCURRENCY,QUEUE, e.g. 1,32`);
  return { concurrency: count(concurrency, what), queue: count(queue, what) };
}

/** `"1000"` → 1,000 ms; 0 turns the hold off. */
export function parseDelaySpec(spec: string, what: string): number {
  if (!/^\d+$/.test(spec.trim()) || Number(spec) > 60_000) throw new TypeError(`${what}: "${spec}" is not a number of milliseconds from 0 to 60000`);
  return Number(spec);
}
