import { WebhookVerificationError } from "../../core/errors.js";
import type { Wire } from "../../core/wire.js";
import { deserializeEvent } from "../events/event.serializer.js";
import type { HelloJohnEvent } from "../events/events.interface.js";

/** Request headers as frameworks hand them over: a `Headers` object or Node's header record. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** A webhook body exactly as it arrived: the raw bytes, or the string they decode to. */
export type WebhookPayload = string | Uint8Array | ArrayBuffer;

/** Options of {@link WebhookVerifier}. */
export interface WebhookVerifierOptions {
  /** How far `webhook-timestamp` may be from now, in seconds. Default 300 (5 minutes). */
  toleranceSeconds?: number | undefined;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

const SEEN_LIMIT = 100_000;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function header(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const value = record[name] ?? Object.entries(record).find(([key]) => key.toLowerCase() === name)?.[1];
  return Array.isArray(value) ? value[0] : value;
}

function base64Bytes(text: string): Uint8Array | undefined {
  try {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  } catch {
    return undefined;
  }
}

function bodyBytes(payload: WebhookPayload): Uint8Array {
  if (typeof payload === "string") return encoder.encode(payload);
  if (payload instanceof Uint8Array) return payload;
  if (payload instanceof ArrayBuffer) return new Uint8Array(payload);
  throw new WebhookVerificationError("invalid_payload", "The webhook payload must be the raw body (a string, Uint8Array or ArrayBuffer), not parsed JSON");
}

/**
 * Verifies webhooks signed to the Standard Webhooks specification with
 * Web-standard crypto only (`crypto.subtle` HMAC-SHA256, constant-time): the
 * signature over `webhook-id.webhook-timestamp.body`, a timestamp within 5
 * minutes, and no replays (the same `webhook-id` and timestamp twice; a retry
 * has a new timestamp and passes). Keep one verifier per process: the replay
 * memory is per instance.
 *
 * @example
 * ```ts
 * const verifier = new WebhookVerifier();
 * const event = await verifier.verify(rawBody, request.headers, process.env.HELLOJOHN_WEBHOOK_SECRET!);
 * if (event.type === "user.created") console.log(event.data.email);
 * ```
 */
export class WebhookVerifier {
  readonly #toleranceMs: number;
  readonly #now: () => number;
  /** `webhook-id` + timestamp → when it may be forgotten. */
  readonly #seen = new Map<string, number>();
  readonly #keys = new Map<string, Promise<HmacKey>>();

  constructor(options: WebhookVerifierOptions = {}) {
    this.#toleranceMs = (options.toleranceSeconds ?? 300) * 1000;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Checks `payload` (the raw body) against `headers` and `secret` (`whsec_…`)
   * and returns the typed event.
   *
   * @throws {WebhookVerificationError} with `code` `missing_header`,
   * `stale_timestamp`, `invalid_signature`, `replayed`, `invalid_secret`, …
   */
  async verify(payload: WebhookPayload, headers: WebhookHeaders, secret: string): Promise<HelloJohnEvent> {
    const id = header(headers, "webhook-id");
    const timestamp = header(headers, "webhook-timestamp");
    const signatures = header(headers, "webhook-signature");
    if (id === undefined || timestamp === undefined || signatures === undefined) {
      throw new WebhookVerificationError("missing_header", "The webhook-id, webhook-timestamp and webhook-signature headers are required");
    }
    if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError("invalid_timestamp", "webhook-timestamp is not a number of seconds");
    const now = this.#now();
    const sentAt = Number(timestamp) * 1000;
    if (Math.abs(now - sentAt) > this.#toleranceMs) {
      throw new WebhookVerificationError("stale_timestamp", `webhook-timestamp is more than ${this.#toleranceMs / 1000} s from now; check the clocks, or this is a replay`);
    }
    const body = bodyBytes(payload);
    const prefix = encoder.encode(`${id}.${timestamp}.`);
    const signed = new Uint8Array(prefix.length + body.length);
    signed.set(prefix);
    signed.set(body, prefix.length);
    const key = await this.#key(secret);
    let valid = false;
    for (const candidate of signatures.split(" ")) {
      const [version, value] = candidate.split(",", 2);
      if (version !== "v1" || value === undefined) continue;
      const signature = base64Bytes(value);
      // crypto.subtle.verify compares in constant time.
      if (signature !== undefined && (await crypto.subtle.verify("HMAC", key, signature, signed))) valid = true;
    }
    if (!valid) throw new WebhookVerificationError("invalid_signature", "No webhook-signature matches this body and secret");
    this.#remember(`${id}.${timestamp}`, now);
    let wire: Wire<"Event">;
    try {
      wire = JSON.parse(decoder.decode(body)) as Wire<"Event">;
    } catch (error) {
      throw new WebhookVerificationError("invalid_payload", "The webhook body is not JSON", error);
    }
    if (typeof wire !== "object" || wire === null || typeof wire.type !== "string" || typeof wire.data !== "object" || wire.data === null) {
      throw new WebhookVerificationError("invalid_payload", "The webhook body is not a HelloJohn event");
    }
    return deserializeEvent(wire);
  }

  #remember(message: string, now: number): void {
    if (this.#seen.has(message)) throw new WebhookVerificationError("replayed", "This webhook (same webhook-id and timestamp) was already verified");
    if (this.#seen.size >= SEEN_LIMIT) {
      for (const [seen, forgetAt] of this.#seen) if (forgetAt <= now || this.#seen.size >= SEEN_LIMIT) this.#seen.delete(seen);
    }
    // Past the tolerance window the timestamp check refuses it anyway.
    this.#seen.set(message, now + 2 * this.#toleranceMs);
  }

  #key(secret: string): Promise<HmacKey> {
    let key = this.#keys.get(secret);
    if (key === undefined) {
      const bytes = typeof secret === "string" ? base64Bytes(secret.startsWith("whsec_") ? secret.slice(6) : secret) : undefined;
      if (bytes === undefined || bytes.length === 0) {
        return Promise.reject(new WebhookVerificationError("invalid_secret", "The secret is not a webhook signing secret (whsec_ followed by base64)"));
      }
      key = crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
      if (this.#keys.size >= 16) this.#keys.clear();
      this.#keys.set(secret, key);
    }
    return key;
  }
}
