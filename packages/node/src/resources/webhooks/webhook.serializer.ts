import { deserializeList, mapsEveryKey, toWire, wireDate, wireNullableDate, type Wire, type WireNames } from "../../core/wire.js";
import type { EventType } from "../events/events.interface.js";
import type {
  CreateWebhookEndpointParams,
  UpdateWebhookEndpointParams,
  WebhookAttempt,
  WebhookDeliveriesPage,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEndpointsPage,
  WebhookEndpointWithSecret,
} from "./webhooks.interface.js";

export function deserializeEndpoint(wire: Wire<"WebhookEndpoint">): WebhookEndpoint {
  const { id, url, description, events, disabled, disabled_reason, created_at, updated_at, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return {
    id,
    url,
    description,
    events: events as Array<EventType | "*">,
    disabled,
    disabledReason: disabled_reason,
    createdAt: wireDate(created_at),
    updatedAt: wireDate(updated_at),
  };
}

export function deserializeEndpointWithSecret(wire: Wire<"WebhookEndpointWithSecret">): WebhookEndpointWithSecret {
  return { ...deserializeEndpoint(wire), secret: wire.secret };
}

function deserializeAttempt(wire: Wire<"WebhookAttempt">): WebhookAttempt {
  const { id, attempted_at, status_code, latency_ms, succeeded, response_excerpt, error, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return {
    id,
    attemptedAt: wireDate(attempted_at),
    statusCode: status_code,
    latencyMs: latency_ms,
    succeeded,
    responseExcerpt: response_excerpt,
    error,
  };
}

export function deserializeDelivery(wire: Wire<"WebhookDelivery">): WebhookDelivery {
  const { id, endpoint_id, event_id, event_type, status, attempt_count, next_attempt_at, created_at, updated_at, attempts, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return {
    id,
    endpointId: endpoint_id,
    eventId: event_id,
    eventType: event_type,
    status,
    attemptCount: attempt_count,
    nextAttemptAt: wireNullableDate(next_attempt_at),
    createdAt: wireDate(created_at),
    updatedAt: wireDate(updated_at),
    attempts: attempts.map(deserializeAttempt),
  };
}

export const deserializeEndpointsPage: (wire: Wire<"WebhookEndpointsPage">) => WebhookEndpointsPage = deserializeList("endpoints", deserializeEndpoint);
export const deserializeDeliveriesPage: (wire: Wire<"WebhookDeliveriesPage">) => WebhookDeliveriesPage = deserializeList("deliveries", deserializeDelivery);

const CREATE_FIELDS: WireNames<CreateWebhookEndpointParams, Wire<"CreateWebhookEndpointRequest">> = { url: "url", events: "events", description: "description" };
const UPDATE_FIELDS: WireNames<UpdateWebhookEndpointParams, Wire<"UpdateWebhookEndpointRequest">> = {
  url: "url",
  events: "events",
  description: "description",
  disabled: "disabled",
};

export const serializeCreateEndpoint = (params: CreateWebhookEndpointParams): Record<string, unknown> => toWire(params, CREATE_FIELDS);
export const serializeUpdateEndpoint = (params: UpdateWebhookEndpointParams): Record<string, unknown> => toWire(params, UPDATE_FIELDS);
