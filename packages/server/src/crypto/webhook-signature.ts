import { createHmac, randomBytes } from "node:crypto";

const PREFIX = "whsec_";

/** A new Standard Webhooks signing secret: `whsec_` + base64 of 32 random bytes. */
export function generateWebhookSecret(): string {
  return PREFIX + randomBytes(32).toString("base64");
}

/**
 * The Standard Webhooks signature of one message: `v1,` + base64 of
 * HMAC-SHA256 over `${id}.${timestamp}.${body}`, keyed with the secret's bytes.
 */
export function signWebhook(secret: string, id: string, timestampSeconds: number, body: string): string {
  const key = Buffer.from(secret.startsWith(PREFIX) ? secret.slice(PREFIX.length) : secret, "base64");
  return `v1,${createHmac("sha256", key).update(`${id}.${timestampSeconds}.${body}`).digest("base64")}`;
}
