import type { ListPage } from "../../core/page-promise.js";
import type { EventType } from "../events/events.interface.js";

/** Where HelloJohn POSTs events, and which ones. */
export interface WebhookEndpoint {
  /** `whe_` + ULID. */
  id: string;
  url: string;
  description: string | null;
  /** The event types it receives; `"*"` for all. */
  events: Array<EventType | "*">;
  /** True when disabled through the API or after failing persistently (see `disabledReason`). */
  disabled: boolean;
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
}

/** An endpoint with its signing secret: only `create` and `rotateSecret` return one. */
export interface WebhookEndpointWithSecret extends WebhookEndpoint {
  /** `whsec_` + base64. Store it now: it is not shown again. */
  secret: string;
}

/** Fields for {@link WebhookEndpoints.create}. */
export interface CreateWebhookEndpointParams {
  /** An http(s) URL. A server started with `start` refuses private and loopback addresses unless allowed. */
  url: string;
  /** Event types to receive, or `["*"]` for all. */
  events: Array<EventType | "*">;
  description?: string | null | undefined;
}

/** Fields for {@link WebhookEndpoints.update}. */
export interface UpdateWebhookEndpointParams {
  url?: string | undefined;
  events?: Array<EventType | "*"> | undefined;
  description?: string | null | undefined;
  /** `false` re-enables an endpoint disabled after persistent failure; its pending deliveries resume. */
  disabled?: boolean | undefined;
}

/** Paging for endpoint and delivery lists. */
export interface ListWebhooksParams {
  /** 1–100. Default 50. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** One page of endpoints, newest first: `{ endpoints, nextCursor, total }`. */
export type WebhookEndpointsPage = ListPage<"endpoints", WebhookEndpoint>;

/** One HTTP attempt of a delivery. */
export interface WebhookAttempt {
  id: string;
  attemptedAt: Date;
  /** The response status, or `null` when none came (see `error`). */
  statusCode: number | null;
  latencyMs: number;
  succeeded: boolean;
  /** The first 1 KiB of the response body. */
  responseExcerpt: string | null;
  /** `timeout`, `connection_refused`, `blocked_address`, … when no response came. */
  error: string | null;
}

/** One event on its way to one endpoint, with every attempt made. */
export interface WebhookDelivery {
  /** `whd_` + ULID. */
  id: string;
  endpointId: string;
  eventId: string;
  eventType: string;
  status: "pending" | "succeeded" | "failed";
  attemptCount: number;
  nextAttemptAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  attempts: WebhookAttempt[];
}

/** One page of deliveries, newest first: `{ deliveries, nextCursor, total }`. */
export type WebhookDeliveriesPage = ListPage<"deliveries", WebhookDelivery>;
