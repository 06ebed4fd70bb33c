import type { HelloJohn, WebhookDelivery } from "@hellojohn/node";

/**
 * Waits until HelloJohn has settled its delivery of `eventType` to the
 * endpoint (succeeded, or failed at least once), polling its delivery log,
 * and returns it. Bounded by a number of polls, not by a clock.
 */
export async function settledDelivery(client: HelloJohn, endpointId: string, eventType: string): Promise<WebhookDelivery> {
  for (let poll = 0; poll < 200; poll++) {
    for await (const delivery of client.webhooks.endpoints.listDeliveries(endpointId)) {
      if (delivery.eventType === eventType && (delivery.status !== "pending" || delivery.attemptCount > 0)) return delivery;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`HelloJohn never delivered ${eventType} to ${endpointId}`);
}
