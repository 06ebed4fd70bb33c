import type { HttpClient } from "../../core/http-client.js";
import type { HelloJohnEvent } from "../events/events.interface.js";
import { WebhookEndpoints } from "./webhook-endpoints.js";
import { WebhookVerifier, type WebhookHeaders, type WebhookPayload } from "./webhook-verifier.js";

/**
 * `hj.webhooks`: manage endpoints, and verify what arrives at yours.
 * @example
 * ```ts
 * const event = await hj.webhooks.verify(rawBody, req.headers, process.env.HELLOJOHN_WEBHOOK_SECRET!);
 * ```
 */
export class Webhooks {
  /** Create, list, get, update, delete endpoints, rotate secrets, list deliveries and re-send them. */
  readonly endpoints: WebhookEndpoints;
  readonly #verifier = new WebhookVerifier();

  /** @internal */
  constructor(http: HttpClient) {
    this.endpoints = new WebhookEndpoints(http);
  }

  /**
   * Verifies a delivery (Standard Webhooks: `webhook-id`, `webhook-timestamp`,
   * `webhook-signature`) and returns the typed event. Pass the raw body, not
   * parsed JSON. Refuses bad signatures, timestamps more than 5 minutes off,
   * and replays.
   *
   * @throws {WebhookVerificationError}
   */
  verify(payload: WebhookPayload, headers: WebhookHeaders, secret: string): Promise<HelloJohnEvent> {
    return this.#verifier.verify(payload, headers, secret);
  }
}
