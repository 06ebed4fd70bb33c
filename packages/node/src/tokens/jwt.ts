import { TokenVerificationError } from "../core/errors.js";

/** The parts of a compact JWS, decoded. */
export interface DecodedJwt {
  header: { alg?: unknown; kid?: unknown; typ?: unknown };
  payload: Record<string, unknown>;
  /** The ASCII bytes of `header.payload`, what the signature covers. */
  signingInput: Uint8Array<ArrayBuffer>;
  signature: Uint8Array<ArrayBuffer>;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;
const utf8 = new TextDecoder("utf-8", { fatal: true });
const ascii = new TextEncoder();

/**
 * Decodes unpadded base64url with `atob`, available on every runtime (no
 * `Buffer`). The caller has checked the alphabet; a length that no encoding
 * produces makes `atob` throw.
 */
export function base64UrlToBytes(segment: string): Uint8Array<ArrayBuffer> {
  const binary = atob(segment.replace(/-/g, "+").replace(/_/g, "/"));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

function decodeJson(segment: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(utf8.decode(base64UrlToBytes(segment)));
    if (typeof value === "object" && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch (cause) {
    throw new TokenVerificationError("malformed", `Token ${what} is not valid base64url JSON`, cause);
  }
  throw new TokenVerificationError("malformed", `Token ${what} is not a JSON object`);
}

/** Splits and decodes a compact JWS without verifying anything. */
export function decodeJwt(token: unknown): DecodedJwt {
  if (typeof token !== "string" || token.length === 0) {
    throw new TokenVerificationError("malformed", "Token must be a non-empty string");
  }
  if (token.length > 8192) throw new TokenVerificationError("malformed", "Token is too long");
  const parts = token.split(".");
  if (parts.length !== 3 || !parts.every((p) => BASE64URL.test(p))) {
    throw new TokenVerificationError("malformed", "Token is not a compact JWS (three base64url segments)");
  }
  const [h, p, s] = parts as [string, string, string];
  let signature: Uint8Array<ArrayBuffer>;
  try {
    signature = base64UrlToBytes(s);
  } catch (cause) {
    throw new TokenVerificationError("malformed", "Token signature is not valid base64url", cause);
  }
  return {
    header: decodeJson(h, "header"),
    payload: decodeJson(p, "payload"),
    signingInput: ascii.encode(`${h}.${p}`),
    signature,
  };
}
