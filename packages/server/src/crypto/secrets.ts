import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { isId, newId } from "./ids.js";

/** SHA-256, hex. Secrets here are 256-bit random values, so a fast hash is the right tool. */
export const sha256 = (value: string): string => createHash("sha256").update(value).digest("hex");

/** A random 256-bit secret, base64url. */
export const randomSecret = (): string => randomBytes(32).toString("base64url");

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, "hex");
  const right = Buffer.from(b, "hex");
  return left.length === right.length && timingSafeEqual(left, right);
}

/** A new API key: `sk_<ULID>_<secret>`; the ULID is the key's public ID (`key_<ULID>`). */
export function generateSecretKey(): { keyId: string; secretKey: string; hash: string } {
  const keyId = newId("key");
  const secretKey = `sk_${keyId.slice(4)}_${randomSecret()}`;
  return { keyId, secretKey, hash: sha256(secretKey) };
}

/** Splits a presented key into its key ID, or undefined when it is not shaped like one. */
export function keyIdOf(secretKey: string): string | undefined {
  const match = /^sk_([0-9A-HJKMNP-TV-Z]{26})_[A-Za-z0-9_-]{20,100}$/.exec(secretKey);
  if (match === null) return undefined;
  const keyId = `key_${match[1]}`;
  return isId(keyId, "key") ? keyId : undefined;
}
