import type { ListPage } from "../../core/page-promise.js";
import type { DeletedObject, Membership, Organization } from "../organizations/organizations.interface.js";
import type { User, UserSession } from "../users/users.interface.js";

/** Every event type HelloJohn emits. */
export type EventType = HelloJohnEvent["type"];

/** A session as events show it: the session and whose it is. */
export interface SessionEventData extends UserSession {
  userId: string;
}

/** A removed membership: which user left which organization. */
export interface RemovedMembership {
  orgId: string;
  userId: string;
}

interface EventBase<TType extends string, TData> {
  /** `evt_` + ULID; the same ID arrives as a webhook's `webhook-id` on every attempt. */
  id: string;
  type: TType;
  /** When the change committed (to the millisecond). */
  createdAt: Date;
  /** The object as the API returns it; a deleted object's ID only. */
  data: TData;
}

interface UpdateEvent<TType extends string, TData> extends EventBase<TType, TData> {
  /** The fields the update named, in camelCase (e.g. `["firstName", "metadata"]`). */
  changedFields: string[];
}

/**
 * An event of the feed or a webhook, discriminated on `type`.
 *
 * @example
 * ```ts
 * switch (event.type) {
 *   case "user.updated": console.log(event.data.email, event.changedFields); break;
 *   case "user.deleted": console.log(event.data.id); break;
 * }
 * ```
 */
export type HelloJohnEvent =
  | EventBase<"user.created", User>
  | UpdateEvent<"user.updated", User>
  | EventBase<"user.disabled", User>
  | EventBase<"user.enabled", User>
  | EventBase<"user.deleted", DeletedObject>
  | EventBase<"session.created", SessionEventData>
  | EventBase<"session.revoked", SessionEventData>
  | EventBase<"organization.created", Organization>
  | UpdateEvent<"organization.updated", Organization>
  | EventBase<"organization.deleted", DeletedObject>
  | EventBase<"organization.member_added", Membership>
  | EventBase<"organization.member_removed", RemovedMembership>;

/** Filters and position for {@link Events.list}. */
export interface ListEventsParams {
  /** Only these types. Default: all. */
  types?: EventType[] | undefined;
  /** An event ID: start right after it (resume where you stopped). Default: the oldest kept event. */
  after?: string | undefined;
  /** 1–100. Default 50. */
  limit?: number | undefined;
}

/**
 * One page of the feed, oldest first: `{ events, nextCursor }`, without a total.
 * `nextCursor` is the last event's ID when more follow, else `null`; pass it as `after`.
 */
export type EventsPage = ListPage<"events", HelloJohnEvent, false>;
