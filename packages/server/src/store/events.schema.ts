import type { Generated } from "kysely";

// Tables of the events feed and webhook delivery (migration 0005_events_webhooks).
// Times are epoch milliseconds, booleans 0/1 and JSON text, as everywhere else.

/** One event of a tenant's feed; `position` is its place in commit order. */
export interface EventsTable {
  id: string;
  tenant_id: string;
  position: number;
  type: string;
  /** The object's ID (user, session, organization), for per-object lookups. */
  subject_id: string;
  /** The user the event concerns (a `user.*` event's user, a session's or a membership's), else null. */
  user_id: string | null;
  /** JSON: `{ data, changed_fields? }` exactly as the API shows them. */
  payload: string;
  /** 1 once the user it concerns was deleted: the payload is emptied and the event leaves the feed; its ID still works as a cursor. */
  erased: Generated<number>;
  created_at: number;
}

/** The per-tenant counter whose row lock hands out positions in commit order. */
export interface EventCountersTable {
  tenant_id: string;
  last_position: number;
}

export interface WebhookEndpointsTable {
  id: string;
  tenant_id: string;
  url: string;
  description: string | null;
  /** JSON array of event types. */
  event_types: string;
  sealed_secret: string;
  /** The secret before the last rotation: it keeps signing until `previous_secret_expires_at`. */
  sealed_previous_secret: string | null;
  previous_secret_expires_at: number | null;
  disabled: number;
  disabled_reason: string | null;
  last_success_at: number | null;
  /** The tenant's feed position up to which deliveries have been made for this endpoint. */
  position_cursor: number;
  /** Which instance delivers to this endpoint until `lease_until` (one at a time, in order). */
  lease_owner: string | null;
  lease_until: number | null;
  created_at: number;
  updated_at: number;
}

export interface WebhookDeliveriesTable {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  /** The event's feed position: deliveries to one endpoint go out in this order. */
  position: number;
  /** `pending`, `succeeded` or `failed`. */
  status: string;
  /** Attempts made so far (all time). */
  attempt_count: number;
  /** Index into the retry schedule of the next attempt; a re-send starts it over. */
  schedule_index: number;
  next_attempt_at: number | null;
  /** When the current run of attempts began (creation or re-send). */
  started_at: number;
  created_at: number;
  updated_at: number;
}

export interface WebhookAttemptsTable {
  id: string;
  tenant_id: string;
  delivery_id: string;
  endpoint_id: string;
  attempted_at: number;
  /** HTTP status, or null when no response came (refused, timeout). */
  status_code: number | null;
  latency_ms: number;
  succeeded: number;
  /** The first bytes of the response body. */
  response_excerpt: string | null;
  /** Why no usable response came: `timeout`, `connection_refused`, `blocked_address`, … */
  error: string | null;
}

export interface EventsSchema {
  events: EventsTable;
  event_counters: EventCountersTable;
  webhook_endpoints: WebhookEndpointsTable;
  webhook_deliveries: WebhookDeliveriesTable;
  webhook_attempts: WebhookAttemptsTable;
}
