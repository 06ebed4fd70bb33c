import type { HttpClient } from "../../core/http-client.js";
import { PagePromise } from "../../core/page-promise.js";
import { deserializeDeleted } from "../../core/wire.js";
import { pathId } from "../../core/path.js";
import type { RequestOptions } from "../../core/request-options.js";
import {
  deserializeMembership,
  deserializeMembershipsPage,
  deserializeOrganization,
  deserializeOrganizationsPage,
  serializeAddMember,
  serializeCreateOrganization,
  serializeUpdateMember,
  serializeUpdateOrganization,
} from "./organization.serializer.js";
import type {
  AddMemberParams,
  CreateOrganizationParams,
  DeletedObject,
  ListOrganizationsParams,
  Membership,
  MembershipsPage,
  Organization,
  OrganizationsPage,
  UpdateMemberParams,
  UpdateOrganizationParams,
} from "./organizations.interface.js";

/**
 * `hj.organizations`: organizations and their members.
 * @example
 * ```ts
 * const org = await hj.organizations.create({ name: "Acme" });
 * await hj.organizations.addMember(org.id, { userId: user.id, role: "admin" });
 * const { users } = await hj.users.list({ orgId: org.id });
 * ```
 */
export class Organizations {
  readonly #http: HttpClient;

  /** @internal */
  constructor(http: HttpClient) {
    this.#http = http;
  }

  /** Creates an organization. An unknown field is a `ValidationError` naming it, as in every create and update. */
  async create(params: CreateOrganizationParams, options?: RequestOptions): Promise<Organization> {
    const body = serializeCreateOrganization(params);
    return this.#http.request({ method: "POST", path: "/v1/organizations", body }, options, deserializeOrganization);
  }

  /** Fetches an organization by ID. */
  async get(orgId: string, options?: RequestOptions): Promise<Organization> {
    const path = `/v1/organizations/${pathId(orgId, "orgId")}`;
    return this.#http.request({ method: "GET", path }, options, deserializeOrganization);
  }

  /** Lists organizations, newest first; await for a page or iterate for all. */
  list(params: ListOrganizationsParams = {}, options?: RequestOptions): PagePromise<OrganizationsPage, Organization> {
    const fetchPage = async (cursor: string | undefined): Promise<OrganizationsPage> =>
      this.#http.request({ method: "GET", path: "/v1/organizations", query: { limit: params.limit, cursor } }, options, deserializeOrganizationsPage);
    return new PagePromise(fetchPage, (page) => page.organizations, params.cursor);
  }

  /**
   * Updates the name or merges metadata; omitted fields are left as they are.
   * An unknown field is a `ValidationError` naming it, as in `users.update`.
   */
  async update(orgId: string, params: UpdateOrganizationParams, options?: RequestOptions): Promise<Organization> {
    const path = `/v1/organizations/${pathId(orgId, "orgId")}`;
    const body = serializeUpdateOrganization(params);
    return this.#http.request({ method: "PATCH", path, body }, options, deserializeOrganization);
  }

  /** Deletes an organization and its memberships (the users remain). */
  async delete(orgId: string, options?: RequestOptions): Promise<DeletedObject> {
    return this.#http.request({ method: "DELETE", path: `/v1/organizations/${pathId(orgId, "orgId")}` }, options, deserializeDeleted);
  }

  /** Adds a user to the organization; adding an existing member is a 409 `already_member`. */
  async addMember(orgId: string, params: AddMemberParams, options?: RequestOptions): Promise<Membership> {
    const path = `/v1/organizations/${pathId(orgId, "orgId")}/members`;
    const body = serializeAddMember(params);
    return this.#http.request({ method: "POST", path, body }, options, deserializeMembership);
  }

  /**
   * Changes a member's role. Access tokens already issued keep the old role
   * until the session refreshes (15 minutes at most); the next token carries the new one.
   * @throws {NotFoundError} `membership_not_found` when the user is not a member.
   * @example
   * ```ts
   * await hj.organizations.updateMember(org.id, user.id, { role: "admin" });
   * ```
   */
  async updateMember(orgId: string, userId: string, params: UpdateMemberParams, options?: RequestOptions): Promise<Membership> {
    const path = `/v1/organizations/${pathId(orgId, "orgId")}/members/${pathId(userId, "userId")}`;
    const body = serializeUpdateMember(params);
    return this.#http.request({ method: "PATCH", path, body }, options, deserializeMembership);
  }

  /** Removes a user from the organization; their next refresh drops the organization from their tokens. */
  async removeMember(orgId: string, userId: string, options?: RequestOptions): Promise<DeletedObject> {
    const path = `/v1/organizations/${pathId(orgId, "orgId")}/members/${pathId(userId, "userId")}`;
    return this.#http.request({ method: "DELETE", path }, options, deserializeDeleted);
  }

  /** Lists the organization's memberships, newest first. */
  listMembers(orgId: string, params: ListOrganizationsParams = {}, options?: RequestOptions): PagePromise<MembershipsPage, Membership> {
    const path = `/v1/organizations/${pathId(orgId, "orgId")}/members`;
    const fetchPage = async (cursor: string | undefined): Promise<MembershipsPage> =>
      this.#http.request({ method: "GET", path, query: { limit: params.limit, cursor } }, options, deserializeMembershipsPage);
    return new PagePromise(fetchPage, (page) => page.memberships, params.cursor);
  }
}
