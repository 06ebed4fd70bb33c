import type { ListPage } from "../../core/page-promise.js";
import type { MetadataValue } from "../users/users.interface.js";

/** An organization of your tenant. */
export interface Organization {
  /** `org_` followed by a 26-character ULID. */
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** Fields for {@link Organizations.create}. */
export interface CreateOrganizationParams {
  name: string;
  metadata?: Record<string, MetadataValue> | undefined;
}

/** Fields for {@link Organizations.update}; `metadata` is merged like a user's. */
export interface UpdateOrganizationParams {
  name?: string | undefined;
  metadata?: Record<string, MetadataValue> | undefined;
}

/** Paging for organization lists. */
export interface ListOrganizationsParams {
  /** 1–100. Default 50. */
  limit?: number | undefined;
  cursor?: string | undefined;
}

/** One page of organizations: `{ organizations, nextCursor, total }`. */
export type OrganizationsPage = ListPage<"organizations", Organization>;

/** A user's membership of an organization. */
export interface Membership {
  orgId: string;
  userId: string;
  role: string;
  createdAt: Date;
}

/** Fields for {@link Organizations.addMember}. */
export interface AddMemberParams {
  userId: string;
  /** Default `member`. HelloJohn reserves `admin` and `member`; other roles are yours to define. */
  role?: string | undefined;
}

/** Fields for {@link Organizations.updateMember}. */
export interface UpdateMemberParams {
  /** The new role: `admin`, `member`, or your own (lowercase letters, digits, `_`, `:`, `-`; at most 50). */
  role: string;
}

/** One page of memberships: `{ memberships, nextCursor, total }`. */
export type MembershipsPage = ListPage<"memberships", Membership>;

/** The result of a delete. */
export interface DeletedObject {
  id: string;
  deleted: true;
}
