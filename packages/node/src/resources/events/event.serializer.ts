import { deserializeMembership, deserializeOrganization, type WireMembership, type WireOrganization } from "../organizations/organization.serializer.js";
import { deserializeSession, deserializeUser, type WireSession, type WireUser } from "../users/user.serializer.js";
import type { EventsPage, HelloJohnEvent } from "./events.interface.js";

/** An event on the wire (the feed's items and a webhook's body). */
export interface WireEvent {
  id: string;
  type: string;
  created_at: string;
  data: Record<string, unknown>;
  changed_fields?: string[];
}

export interface WireEventsPage {
  data: WireEvent[];
  next_cursor: string | null;
}

const camel = (field: string): string => field.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * Turns a wire event into the typed event. Types this SDK version does not
 * know yet arrive with their raw `data`, so an older SDK keeps working.
 */
export function deserializeEvent(wire: WireEvent): HelloJohnEvent {
  const base = { id: wire.id, createdAt: new Date(wire.created_at) };
  const data = wire.data;
  const changedFields = (wire.changed_fields ?? []).map(camel);
  switch (wire.type) {
    case "user.created":
    case "user.disabled":
    case "user.enabled":
      return { ...base, type: wire.type, data: deserializeUser(data as unknown as WireUser) };
    case "user.updated":
      return { ...base, type: wire.type, data: deserializeUser(data as unknown as WireUser), changedFields };
    case "session.created":
    case "session.revoked":
      return { ...base, type: wire.type, data: { ...deserializeSession(data as unknown as WireSession), userId: String(data.user_id) } };
    case "organization.created":
      return { ...base, type: wire.type, data: deserializeOrganization(data as unknown as WireOrganization) };
    case "organization.updated":
      return { ...base, type: wire.type, data: deserializeOrganization(data as unknown as WireOrganization), changedFields };
    case "organization.member_added":
      return { ...base, type: wire.type, data: deserializeMembership(data as unknown as WireMembership) };
    case "organization.member_removed":
      return { ...base, type: wire.type, data: { orgId: String(data.org_id), userId: String(data.user_id) } };
    case "user.deleted":
    case "organization.deleted":
      return { ...base, type: wire.type, data: { id: String(data.id), deleted: true } };
    default:
      return { ...base, type: wire.type, data } as unknown as HelloJohnEvent;
  }
}

export function deserializeEventsPage(wire: WireEventsPage): EventsPage {
  return { events: wire.data.map(deserializeEvent), nextCursor: wire.next_cursor };
}
