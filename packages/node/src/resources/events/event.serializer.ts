import { deserializeFeed, mapsEveryKey, wireDate, type Wire, type WireQuery } from "../../core/wire.js";
import { deserializeMembership, deserializeOrganization } from "../organizations/organization.serializer.js";
import { deserializeSession, deserializeUser } from "../users/user.serializer.js";
import type { EventsPage, HelloJohnEvent, ListEventsParams } from "./events.interface.js";

const camel = (field: string): string => field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

// An event's `data` is the object as the API returns it, so its schema is open in openapi.json; the type names it.
const as = <Name extends "User" | "Session" | "Organization" | "Membership">(data: Record<string, unknown>): Wire<Name> => data as unknown as Wire<Name>;

/**
 * Turns a wire event (a feed item or a webhook's body) into the typed event.
 * Types this SDK version does not know yet arrive with their raw `data`, so an
 * older SDK keeps working.
 */
export function deserializeEvent(wire: Wire<"Event">): HelloJohnEvent {
  const { id, type, created_at, data, changed_fields, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  const base = { id, createdAt: wireDate(created_at) };
  const changedFields = (changed_fields ?? []).map(camel);
  switch (type) {
    case "user.created":
    case "user.disabled":
    case "user.enabled":
      return { ...base, type, data: deserializeUser(as<"User">(data)) };
    case "user.updated":
      return { ...base, type, data: deserializeUser(as<"User">(data)), changedFields };
    case "session.created":
    case "session.revoked": {
      const { user_id, ...session } = data;
      return { ...base, type, data: { ...deserializeSession(as<"Session">(session)), userId: String(user_id) } };
    }
    case "organization.created":
      return { ...base, type, data: deserializeOrganization(as<"Organization">(data)) };
    case "organization.updated":
      return { ...base, type, data: deserializeOrganization(as<"Organization">(data)), changedFields };
    case "organization.member_added":
      return { ...base, type, data: deserializeMembership(as<"Membership">(data)) };
    case "organization.member_removed":
      return { ...base, type, data: { orgId: String(data.org_id), userId: String(data.user_id) } };
    case "user.deleted":
    case "organization.deleted":
      return { ...base, type, data: { id: String(data.id), deleted: true } };
    default:
      return { ...base, type, data } as unknown as HelloJohnEvent;
  }
}

export const deserializeEventsPage: (wire: Wire<"EventsPage">) => EventsPage = deserializeFeed("events", deserializeEvent);

export function serializeListEventsQuery(params: ListEventsParams, after: string | undefined): WireQuery<"/v1/events"> {
  return { types: params.types === undefined ? undefined : params.types.join(","), after, limit: params.limit };
}
