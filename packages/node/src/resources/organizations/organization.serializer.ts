import type { Membership, MembershipsPage, Organization, OrganizationsPage } from "./organizations.interface.js";

export interface WireOrganization {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  created_at: string;
  updated_at: string;
}

export interface WireMembership {
  org_id: string;
  user_id: string;
  role: string;
  created_at: string;
}

export interface WireList<T> {
  data: T[];
  next_cursor: string | null;
  total: number;
}

export function deserializeOrganization(wire: WireOrganization): Organization {
  return {
    id: wire.id,
    name: wire.name,
    metadata: wire.metadata,
    createdAt: new Date(wire.created_at),
    updatedAt: new Date(wire.updated_at),
  };
}

export function deserializeMembership(wire: WireMembership): Membership {
  return { orgId: wire.org_id, userId: wire.user_id, role: wire.role, createdAt: new Date(wire.created_at) };
}

export function deserializeOrganizationsPage(wire: WireList<WireOrganization>): OrganizationsPage {
  return { organizations: wire.data.map(deserializeOrganization), nextCursor: wire.next_cursor, total: wire.total };
}

export function deserializeMembershipsPage(wire: WireList<WireMembership>): MembershipsPage {
  return { memberships: wire.data.map(deserializeMembership), nextCursor: wire.next_cursor, total: wire.total };
}
