import { BadRequestException, InternalServerErrorException } from "@nestjs/common";
import { WebhookVerificationError, WebhookVerifier, type HelloJohnEvent, type IncomingHeaders } from "@hellojohn/node";

const sharedVerifier = new WebhookVerifier();

/** The request parts a webhook needs: Nest sets `rawBody` when the app is created with `{ rawBody: true }`. */
export interface WebhookRequest {
  rawBody?: Buffer;
  headers: IncomingHeaders;
}

/**
 * Verifies a HelloJohn webhook in a Nest controller and returns the typed
 * event: Standard Webhooks signature over the raw body, a 5-minute timestamp
 * window, no replays. A refused webhook is a `BadRequestException` (400) with
 * the reason's `code`. Create the app with `NestFactory.create(AppModule,
 * { rawBody: true })` so the raw bytes are kept; mark the route `@Public()`
 * when `HelloJohnGuard` is global (webhooks carry a signature, not a session).
 * Throw from the handler to answer 500 and have HelloJohn retry.
 *
 * @example
 * ```ts
 * @Public()
 * @Post("webhooks/hellojohn")
 * @HttpCode(204)
 * async receive(@Req() request: RawBodyRequest<Request>) {
 *   const event = await verifyWebhookRequest(request, process.env.HELLOJOHN_WEBHOOK_SECRET!);
 *   if (event.type === "user.deleted") await this.customers.remove(event.data.id);
 * }
 * ```
 */
export async function verifyWebhookRequest(request: WebhookRequest, secret: string, verifier: WebhookVerifier = sharedVerifier): Promise<HelloJohnEvent> {
  if (!(request.rawBody instanceof Uint8Array)) {
    throw new InternalServerErrorException({
      error: { type: "configuration_error", code: "raw_body_missing", message: "No raw body: create the Nest app with { rawBody: true } to receive HelloJohn webhooks" },
    });
  }
  try {
    return await verifier.verify(request.rawBody, request.headers, secret);
  } catch (error) {
    if (error instanceof WebhookVerificationError || (error as { type?: unknown })?.type === "webhook_verification_error") {
      const { type, code, message } = error as WebhookVerificationError;
      throw new BadRequestException({ error: { type, code, message } });
    }
    throw error;
  }
}
