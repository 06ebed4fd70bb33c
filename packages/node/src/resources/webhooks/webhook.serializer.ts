import type { EventType } from "../events/events.interface.js";
import type { WebhookAttempt, WebhookDeliveriesPage, WebhookDelivery, WebhookEndpoint, WebhookEndpointsPage, WebhookEndpointWithSecret } from "./webhooks.interface.js";

export interface WireWebhookEndpoint {
  id: string;
  url: string;
  description: string | null;
  events: string[];
  disabled: boolean;
  disabled_reason: string | null;
  created_at: string;
  updated_at: string;
  secret?: string;
}

interface WireAttempt {
  id: string;
  attempted_at: string;
  status_code: number | null;
  latency_ms: number;
  succeeded: boolean;
  response_excerpt: string | null;
  error: string | null;
}

export interface WireWebhookDelivery {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: "pending" | "succeeded" | "failed";
  attempt_count: number;
  next_attempt_at: string | null;
  created_at: string;
  updated_at: string;
  attempts: WireAttempt[];
}

export interface WireList<T> {
  data: T[];
  next_cursor: string | null;
  total: number;
}

export function deserializeEndpoint(wire: WireWebhookEndpoint): WebhookEndpoint {
  return {
    id: wire.id,
    url: wire.url,
    description: wire.description,
    events: wire.events as Array<EventType | "*">,
    disabled: wire.disabled,
    disabledReason: wire.disabled_reason,
    createdAt: new Date(wire.created_at),
    updatedAt: new Date(wire.updated_at),
  };
}

export function deserializeEndpointWithSecret(wire: WireWebhookEndpoint): WebhookEndpointWithSecret {
  return { ...deserializeEndpoint(wire), secret: wire.secret ?? "" };
}

const deserializeAttempt = (wire: WireAttempt): WebhookAttempt => ({
  id: wire.id,
  attemptedAt: new Date(wire.attempted_at),
  statusCode: wire.status_code,
  latencyMs: wire.latency_ms,
  succeeded: wire.succeeded,
  responseExcerpt: wire.response_excerpt,
  error: wire.error,
});

export function deserializeDelivery(wire: WireWebhookDelivery): WebhookDelivery {
  return {
    id: wire.id,
    endpointId: wire.endpoint_id,
    eventId: wire.event_id,
    eventType: wire.event_type,
    status: wire.status,
    attemptCount: wire.attempt_count,
    nextAttemptAt: wire.next_attempt_at === null ? null : new Date(wire.next_attempt_at),
    createdAt: new Date(wire.created_at),
    updatedAt: new Date(wire.updated_at),
    attempts: wire.attempts.map(deserializeAttempt),
  };
}

export const deserializeEndpointsPage = (wire: WireList<WireWebhookEndpoint>): WebhookEndpointsPage => ({
  endpoints: wire.data.map(deserializeEndpoint),
  nextCursor: wire.next_cursor,
  total: wire.total,
});

export const deserializeDeliveriesPage = (wire: WireList<WireWebhookDelivery>): WebhookDeliveriesPage => ({
  deliveries: wire.data.map(deserializeDelivery),
  nextCursor: wire.next_cursor,
  total: wire.total,
});
