import { randomBytes } from "node:crypto";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Every ID prefix the API hands out. */
export type IdPrefix = "usr" | "org" | "ses" | "rtk" | "key" | "ten" | "evt" | "mfa" | "oac" | "req" | "kid" | "whe" | "whd" | "wha" | "con";

let lastTime = -1;
let lastRandom = new Uint8Array(10);

/** A 26-character ULID; monotonic within one millisecond so IDs sort in creation order. */
export function ulid(now: number = Date.now()): string {
  if (now <= lastTime) {
    now = lastTime;
    // Increment the 80-bit random part as a big-endian counter.
    for (let i = 9; i >= 0; i--) {
      lastRandom[i] = ((lastRandom[i] as number) + 1) & 0xff;
      if (lastRandom[i] !== 0) break;
    }
  } else {
    lastTime = now;
    lastRandom = new Uint8Array(randomBytes(10));
  }
  let out = "";
  let time = now;
  for (let i = 0; i < 10; i++) {
    out = CROCKFORD[time % 32] + out;
    time = Math.floor(time / 32);
  }
  // 80 random bits -> 16 base32 characters, 5 bits at a time.
  let bits = 0;
  let value = 0;
  for (const byte of lastRandom) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** `prefix_` + ULID. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${ulid()}`;
}

const ID_BODY = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** True when `value` is a well-formed ID with this prefix. */
export function isId(value: unknown, prefix: IdPrefix): value is string {
  return typeof value === "string" && value.length === prefix.length + 27 && value.startsWith(`${prefix}_`) && ID_BODY.test(value.slice(prefix.length + 1));
}

/** The ID pattern as a regular expression source, for schemas. */
export const idPattern = (prefix: IdPrefix): string => `^${prefix}_[0-9A-HJKMNP-TV-Z]{26}$`;
