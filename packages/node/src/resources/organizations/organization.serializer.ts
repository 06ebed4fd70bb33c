import { deserializeList, mapsEveryKey, toWire, wireDate, type Wire, type WireNames } from "../../core/wire.js";
import type {
  AddMemberParams,
  CreateOrganizationParams,
  Membership,
  MembershipsPage,
  Organization,
  OrganizationsPage,
  UpdateMemberParams,
  UpdateOrganizationParams,
} from "./organizations.interface.js";

export function deserializeOrganization(wire: Wire<"Organization">): Organization {
  const { id, name, metadata, created_at, updated_at, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return { id, name, metadata, createdAt: wireDate(created_at), updatedAt: wireDate(updated_at) };
}

export function deserializeMembership(wire: Wire<"Membership">): Membership {
  const { org_id, user_id, role, created_at, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return { orgId: org_id, userId: user_id, role, createdAt: wireDate(created_at) };
}

export const deserializeOrganizationsPage: (wire: Wire<"OrganizationsPage">) => OrganizationsPage = deserializeList("organizations", deserializeOrganization);
export const deserializeMembershipsPage: (wire: Wire<"MembershipsPage">) => MembershipsPage = deserializeList("memberships", deserializeMembership);

const CREATE_FIELDS: WireNames<CreateOrganizationParams, Wire<"CreateOrganizationRequest">> = { name: "name", metadata: "metadata" };
const UPDATE_FIELDS: WireNames<UpdateOrganizationParams, Wire<"UpdateOrganizationRequest">> = { name: "name", metadata: "metadata" };
const ADD_MEMBER_FIELDS: WireNames<AddMemberParams, Wire<"AddMemberRequest">> = { userId: "user_id", role: "role" };
const UPDATE_MEMBER_FIELDS: WireNames<UpdateMemberParams, Wire<"UpdateMemberRequest">> = { role: "role" };

// Like the users' serializers, these refuse an unknown field instead of dropping it.
export const serializeCreateOrganization = (params: CreateOrganizationParams): Record<string, unknown> => toWire(params, CREATE_FIELDS);
export const serializeUpdateOrganization = (params: UpdateOrganizationParams): Record<string, unknown> => toWire(params, UPDATE_FIELDS);
export const serializeAddMember = (params: AddMemberParams): Record<string, unknown> => toWire(params, ADD_MEMBER_FIELDS);
export const serializeUpdateMember = (params: UpdateMemberParams): Record<string, unknown> => toWire(params, UPDATE_MEMBER_FIELDS);
