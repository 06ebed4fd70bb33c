import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { signWebhook } from "../crypto/webhook-signature.js";
import { isPrivateAddress } from "../domain/webhook-url.js";

/** How much of a response body an attempt keeps. */
export const RESPONSE_EXCERPT_BYTES = 1024;

/** One message to POST. */
export interface WebhookMessage {
  url: string;
  /** `webhook-id`: the event ID, the same on every attempt so receivers can dedupe. */
  id: string;
  body: string;
  /** Current secret first; a rotated-out secret still in its grace period second. */
  secrets: string[];
}

/** What one attempt produced. */
export interface AttemptResult {
  ok: boolean;
  statusCode: number | null;
  latencyMs: number;
  responseExcerpt: string | null;
  error: string | null;
}

function blockedError(): NodeJS.ErrnoException {
  return Object.assign(new Error("address not allowed"), { code: "EADDRBLOCKED" });
}

/** Resolves like `dns.lookup`, minus addresses webhooks may not reach: checked when connecting, so DNS rebinding cannot slip past. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error !== null) return callback(error, "", 0);
    const allowed = addresses.filter((a) => !isPrivateAddress(a.address));
    const first = allowed[0];
    if (first === undefined) return callback(blockedError(), "", 0);
    if (options.all === true) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed);
    callback(null, first.address, first.family);
  });
};

/** POSTs signed webhook messages with a deadline, keeping a short excerpt of each response. */
export class WebhookSender {
  constructor(private readonly options: { timeoutMs: number; allowPrivateNetworks: boolean }) {}

  send(message: WebhookMessage, now: number): Promise<AttemptResult> {
    const timestamp = Math.floor(now / 1000);
    const signature = message.secrets.map((secret) => signWebhook(secret, message.id, timestamp, message.body)).join(" ");
    const url = new URL(message.url);
    const started = performance.now();
    const done = (result: Omit<AttemptResult, "latencyMs">): AttemptResult => ({ ...result, latencyMs: Math.round(performance.now() - started) });
    return new Promise<AttemptResult>((resolve) => {
      const host = url.hostname.replace(/^\[|\]$/g, "");
      if (!this.options.allowPrivateNetworks && isIP(host) !== 0 && isPrivateAddress(host)) {
        return resolve(done({ ok: false, statusCode: null, responseExcerpt: null, error: "blocked_address" }));
      }
      const send = url.protocol === "https:" ? httpsRequest : httpRequest;
      const request = send(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "content-length": Buffer.byteLength(message.body),
          "user-agent": "HelloJohn-Webhooks/1",
          "webhook-id": message.id,
          "webhook-timestamp": String(timestamp),
          "webhook-signature": signature,
        },
        lookup: this.options.allowPrivateNetworks ? undefined : publicOnlyLookup,
      });
      let settled = false;
      const finish = (result: Omit<AttemptResult, "latencyMs">): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(done(result));
      };
      const timer = setTimeout(() => {
        finish({ ok: false, statusCode: null, responseExcerpt: null, error: "timeout" });
        request.destroy();
      }, this.options.timeoutMs);
      request.on("error", (error: NodeJS.ErrnoException) => {
        const code = error.code === "EADDRBLOCKED" ? "blocked_address" : error.code === "ECONNREFUSED" ? "connection_refused" : (error.code ?? "connection_error").toLowerCase();
        finish({ ok: false, statusCode: null, responseExcerpt: null, error: code });
      });
      request.on("response", (response: IncomingMessage) => {
        const chunks: Buffer[] = [];
        let size = 0;
        const complete = (): void => {
          const excerpt = Buffer.concat(chunks).subarray(0, RESPONSE_EXCERPT_BYTES).toString("utf8");
          const status = response.statusCode ?? 0;
          finish({ ok: status >= 200 && status < 300, statusCode: status, responseExcerpt: excerpt === "" ? null : excerpt, error: null });
        };
        response.on("data", (chunk: Buffer) => {
          if (size < RESPONSE_EXCERPT_BYTES) chunks.push(chunk);
          size += chunk.length;
          // The rest of a large body is not worth reading.
          if (size >= RESPONSE_EXCERPT_BYTES) {
            complete();
            response.destroy();
          }
        });
        response.on("end", complete);
        response.on("error", complete);
      });
      request.end(message.body);
    });
  }
}
