import { TokenVerificationError } from "../core/errors.js";

/** The parts of a compact JWS, decoded. */
export interface DecodedJwt {
  header: { alg?: unknown; kid?: unknown; typ?: unknown };
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

const BASE64URL = /^[A-Za-z0-9_-]*$/;

function decodeJson(segment: string, what: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, "base64url").toString("utf8"));
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
  return {
    header: decodeJson(h, "header"),
    payload: decodeJson(p, "payload"),
    signingInput: Buffer.from(`${h}.${p}`),
    signature: Buffer.from(s, "base64url"),
  };
}
