import { isHelloJohnError, WebhookVerificationError } from "../core/errors.js";
import type { HelloJohnEvent } from "../resources/events/events.interface.js";
import { WebhookVerifier, type WebhookHeaders } from "../resources/webhooks/webhook-verifier.js";

/** Options every framework's webhook helper takes. */
export interface ReceiveWebhookOptions<TContext> {
  /** The endpoint's signing secret (`whsec_…`), e.g. `process.env.HELLOJOHN_WEBHOOK_SECRET`. */
  secret: string;
  /**
   * Called once per verified event. Throw (or reject) to answer 500, so that
   * HelloJohn retries the delivery later; return to answer 204.
   */
  onEvent: (event: HelloJohnEvent, context: TContext) => unknown;
  /** Share one verifier (and its replay memory) between routes. Default: one per helper. */
  verifier?: WebhookVerifier | undefined;
}

/** What the framework helper should answer. */
export interface WebhookAnswer {
  status: 204 | 400 | 500;
  body?: { error: { type: string; code: string; message: string } };
}

const isRawBody = (body: unknown): body is string | Uint8Array | ArrayBuffer => typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer;

/**
 * The framework-neutral core of every webhook route: verifies the raw body
 * against the headers and secret, hands the typed event to `onEvent`, and says
 * what to answer (204 done, 400 refused, 500 to be retried). A body that a
 * JSON parser already consumed cannot be verified: that is a setup mistake and
 * answers 500 with a message saying so.
 *
 * @example
 * ```ts
 * const verifier = new WebhookVerifier();
 * const answer = await receiveWebhook(rawBody, headers, { secret, onEvent: (event) => sync(event), verifier }, undefined);
 * ```
 */
export async function receiveWebhook<TContext>(
  rawBody: unknown,
  headers: WebhookHeaders,
  options: ReceiveWebhookOptions<TContext> & { verifier: WebhookVerifier },
  context: TContext,
): Promise<WebhookAnswer> {
  if (!isRawBody(rawBody)) {
    const message = "The webhook's raw body is not available (a JSON body parser ran first); give this route the raw body, see the HelloJohn webhooks docs";
    return { status: 500, body: { error: { type: "configuration_error", code: "raw_body_missing", message } } };
  }
  let event: HelloJohnEvent;
  try {
    event = await options.verifier.verify(rawBody, headers, options.secret);
  } catch (error) {
    if (error instanceof WebhookVerificationError || (isHelloJohnError(error) && error.type === "webhook_verification_error")) {
      const { type, code, message } = error as WebhookVerificationError;
      return { status: 400, body: { error: { type, code, message } } };
    }
    throw error;
  }
  try {
    await options.onEvent(event, context);
  } catch {
    // The handler's error stays in the app; HelloJohn only needs to know to retry.
    return { status: 500, body: { error: { type: "api_error", code: "webhook_handler_failed", message: "The webhook handler failed; HelloJohn will retry" } } };
  }
  return { status: 204 };
}

/** Checks helper options early, with a message naming the option. */
export function checkWebhookOptions<TContext>(options: ReceiveWebhookOptions<TContext>, helper: string): ReceiveWebhookOptions<TContext> & { verifier: WebhookVerifier } {
  if (typeof options?.secret !== "string" || !options.secret.startsWith("whsec_")) {
    throw new TypeError(`${helper} option "secret" must be the endpoint's signing secret (whsec_…)`);
  }
  if (typeof options.onEvent !== "function") throw new TypeError(`${helper} option "onEvent" must be a function`);
  return { ...options, verifier: options.verifier ?? new WebhookVerifier() };
}
