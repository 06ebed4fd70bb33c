import { parameters as p, type Parameter, type SchemaName } from "./schemas.js";

/** One operation of the HTTP contract; routes, the OpenAPI document and contract tests all read this table. */
export interface Operation {
  operationId: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** OpenAPI-style path, e.g. `/v1/users/{user_id}`. */
  path: string;
  summary: string;
  /** `secretKey`: tenant ID and secret key; `public`: anyone (end-user endpoints carry the tenant in the path). */
  auth: "secretKey" | "public";
  parameters?: readonly Parameter[];
  /** The component schema of the request body. */
  body?: SchemaName;
  /** Success status and the component schema name of its body. */
  success: { status: 200 | 201; schema: SchemaName };
  /** Whether a repeated `Idempotency-Key` replays the stored response. */
  idempotent?: boolean;
  /** Largest body this operation accepts, in bytes, when above the server's `bodyLimit` (bulk operations). */
  bodyLimit?: number;
  /**
   * Error statuses this operation answers that its shape does not already
   * imply (see `errorStatuses` in openapi.ts), e.g. 403 `user_disabled` on sign-in.
   */
  errors?: readonly OperationErrorStatus[];
}

/** An error status an operation can answer, beyond the ones its shape implies. */
export type OperationErrorStatus = 401 | 403 | 404 | 409;

/** Largest body of a bulk import request (authenticated before it is read). */
export const IMPORT_BODY_LIMIT = 8 * 1024 * 1024;

const page = [p.limit, p.cursor] as const;

/**
 * Every operation of the HelloJohn Users API, with its literal types: the
 * handlers' input and result types are derived from it. Change the API here.
 */
export const contract = [
  {
    operationId: "listUsers",
    method: "GET",
    path: "/v1/users",
    summary: "List users, newest first",
    auth: "secretKey",
    parameters: [...page, p.search, p.status, p.orgFilter],
    success: { status: 200, schema: "UsersPage" },
  },
  {
    operationId: "createUser",
    method: "POST",
    path: "/v1/users",
    summary: "Create a user",
    auth: "secretKey",
    body: "CreateUserRequest",
    success: { status: 201, schema: "User" },
    idempotent: true,
  },
  {
    operationId: "importUsers",
    method: "POST",
    path: "/v1/users/import",
    summary: "Import up to 1,000 users with optional pre-hashed passwords; a result per row",
    auth: "secretKey",
    body: "ImportUsersRequest",
    success: { status: 200, schema: "ImportUsersResult" },
    idempotent: true,
    bodyLimit: IMPORT_BODY_LIMIT,
  },
  {
    operationId: "getUserByEmail",
    method: "GET",
    path: "/v1/users/by-email",
    summary: "Get a user by email (case-insensitive)",
    auth: "secretKey",
    parameters: [p.email],
    success: { status: 200, schema: "User" },
    errors: [404],
  },
  {
    operationId: "getUser",
    method: "GET",
    path: "/v1/users/{user_id}",
    summary: "Get a user",
    auth: "secretKey",
    parameters: [p.userId],
    success: { status: 200, schema: "User" },
  },
  {
    operationId: "updateUser",
    method: "PATCH",
    path: "/v1/users/{user_id}",
    summary: "Update a user; metadata is a JSON Merge Patch",
    auth: "secretKey",
    parameters: [p.userId],
    body: "UpdateUserRequest",
    success: { status: 200, schema: "User" },
    idempotent: true,
  },
  // Naturally idempotent: deleting a deleted user answers the same, and no response about the user is stored.
  {
    operationId: "deleteUser",
    method: "DELETE",
    path: "/v1/users/{user_id}",
    summary: "Delete a user and everything tied to them",
    auth: "secretKey",
    parameters: [p.userId],
    success: { status: 200, schema: "Deleted" },
  },
  {
    operationId: "disableUser",
    method: "POST",
    path: "/v1/users/{user_id}/disable",
    summary: "Block sign-in and revoke every session",
    auth: "secretKey",
    parameters: [p.userId],
    success: { status: 200, schema: "User" },
    idempotent: true,
  },
  {
    operationId: "enableUser",
    method: "POST",
    path: "/v1/users/{user_id}/enable",
    summary: "Allow sign-in again",
    auth: "secretKey",
    parameters: [p.userId],
    success: { status: 200, schema: "User" },
    idempotent: true,
  },
  {
    operationId: "impersonateUser",
    method: "POST",
    path: "/v1/users/{user_id}/impersonate",
    summary: "Create an audited impersonation session",
    auth: "secretKey",
    parameters: [p.userId],
    body: "ImpersonateRequest",
    success: { status: 201, schema: "Impersonation" },
    idempotent: true,
    errors: [403],
  },
  {
    operationId: "exportUser",
    method: "GET",
    path: "/v1/users/{user_id}/export",
    summary: "Export everything about a user (GDPR)",
    auth: "secretKey",
    parameters: [p.userId],
    success: { status: 200, schema: "UserExport" },
  },
  {
    operationId: "listUserSessions",
    method: "GET",
    path: "/v1/users/{user_id}/sessions",
    summary: "List a user's sessions, newest first (audited)",
    auth: "secretKey",
    parameters: [p.userId, ...page],
    success: { status: 200, schema: "SessionsPage" },
  },
  {
    operationId: "revokeUserSession",
    method: "POST",
    path: "/v1/users/{user_id}/sessions/{session_id}/revoke",
    summary: "Revoke one session of a user and its refresh tokens",
    auth: "secretKey",
    parameters: [p.userId, p.sessionId],
    success: { status: 200, schema: "Session" },
    idempotent: true,
  },
  {
    operationId: "getSession",
    method: "GET",
    path: "/v1/sessions/{session_id}",
    summary: "A session's status (for revocation checks)",
    auth: "secretKey",
    parameters: [p.sessionId],
    success: { status: 200, schema: "SessionStatus" },
  },
  {
    operationId: "listOrganizations",
    method: "GET",
    path: "/v1/organizations",
    summary: "List organizations",
    auth: "secretKey",
    parameters: page,
    success: { status: 200, schema: "OrganizationsPage" },
  },
  {
    operationId: "createOrganization",
    method: "POST",
    path: "/v1/organizations",
    summary: "Create an organization",
    auth: "secretKey",
    body: "CreateOrganizationRequest",
    success: { status: 201, schema: "Organization" },
    idempotent: true,
  },
  {
    operationId: "getOrganization",
    method: "GET",
    path: "/v1/organizations/{org_id}",
    summary: "Get an organization",
    auth: "secretKey",
    parameters: [p.orgId],
    success: { status: 200, schema: "Organization" },
  },
  {
    operationId: "updateOrganization",
    method: "PATCH",
    path: "/v1/organizations/{org_id}",
    summary: "Update an organization",
    auth: "secretKey",
    parameters: [p.orgId],
    body: "UpdateOrganizationRequest",
    success: { status: 200, schema: "Organization" },
    idempotent: true,
  },
  {
    operationId: "deleteOrganization",
    method: "DELETE",
    path: "/v1/organizations/{org_id}",
    summary: "Delete an organization and its memberships",
    auth: "secretKey",
    parameters: [p.orgId],
    success: { status: 200, schema: "Deleted" },
    idempotent: true,
  },
  {
    operationId: "listMembers",
    method: "GET",
    path: "/v1/organizations/{org_id}/members",
    summary: "List an organization's members",
    auth: "secretKey",
    parameters: [p.orgId, ...page],
    success: { status: 200, schema: "MembershipsPage" },
  },
  {
    operationId: "addMember",
    method: "POST",
    path: "/v1/organizations/{org_id}/members",
    summary: "Add a member",
    auth: "secretKey",
    parameters: [p.orgId],
    body: "AddMemberRequest",
    success: { status: 201, schema: "Membership" },
    idempotent: true,
  },
  {
    operationId: "updateMember",
    method: "PATCH",
    path: "/v1/organizations/{org_id}/members/{user_id}",
    summary: "Change a member's role",
    auth: "secretKey",
    parameters: [p.orgId, p.userId],
    body: "UpdateMemberRequest",
    success: { status: 200, schema: "Membership" },
    idempotent: true,
  },
  {
    operationId: "removeMember",
    method: "DELETE",
    path: "/v1/organizations/{org_id}/members/{user_id}",
    summary: "Remove a member",
    auth: "secretKey",
    parameters: [p.orgId, p.userId],
    success: { status: 200, schema: "Deleted" },
    idempotent: true,
  },
  {
    operationId: "getJwks",
    method: "GET",
    path: "/v1/tenants/{tenant_id}/jwks.json",
    summary: "The tenant's token signing keys",
    auth: "public",
    parameters: [p.tenantId],
    success: { status: 200, schema: "Jwks" },
  },
  {
    operationId: "getOpenIdConfiguration",
    method: "GET",
    path: "/v1/tenants/{tenant_id}/.well-known/openid-configuration",
    summary: "The tenant's OpenID discovery document: the issuer of its tokens and where its keys are",
    auth: "public",
    parameters: [p.tenantId],
    success: { status: 200, schema: "OpenIdConfiguration" },
  },
  {
    operationId: "signIn",
    method: "POST",
    path: "/v1/tenants/{tenant_id}/auth/sign-in",
    summary: "Sign in with email and password",
    auth: "public",
    parameters: [p.tenantId],
    body: "SignInRequest",
    success: { status: 200, schema: "Tokens" },
    errors: [401, 403],
  },
  {
    operationId: "refreshSession",
    method: "POST",
    path: "/v1/tenants/{tenant_id}/auth/refresh",
    summary: "Exchange a refresh token (single use) for new tokens",
    auth: "public",
    parameters: [p.tenantId],
    body: "RefreshRequest",
    success: { status: 200, schema: "Tokens" },
    errors: [401, 403],
  },
  {
    operationId: "signOut",
    method: "POST",
    path: "/v1/tenants/{tenant_id}/auth/sign-out",
    summary: "Revoke the session of a refresh token",
    auth: "public",
    parameters: [p.tenantId],
    body: "SignOutRequest",
    success: { status: 200, schema: "SignedOut" },
    errors: [401],
  },
  {
    operationId: "listEvents",
    method: "GET",
    path: "/v1/events",
    summary: "The events feed, oldest first in commit order",
    auth: "secretKey",
    parameters: [p.limit, p.eventTypes, p.after],
    success: { status: 200, schema: "EventsPage" },
    errors: [404],
  },
  // Not idempotent: a stored response would keep the signing secret in the database.
  {
    operationId: "createWebhookEndpoint",
    method: "POST",
    path: "/v1/webhooks/endpoints",
    summary: "Create a webhook endpoint (its secret is shown only now)",
    auth: "secretKey",
    body: "CreateWebhookEndpointRequest",
    success: { status: 201, schema: "WebhookEndpointWithSecret" },
  },
  {
    operationId: "listWebhookEndpoints",
    method: "GET",
    path: "/v1/webhooks/endpoints",
    summary: "List webhook endpoints",
    auth: "secretKey",
    parameters: page,
    success: { status: 200, schema: "WebhookEndpointsPage" },
  },
  {
    operationId: "getWebhookEndpoint",
    method: "GET",
    path: "/v1/webhooks/endpoints/{endpoint_id}",
    summary: "Get a webhook endpoint",
    auth: "secretKey",
    parameters: [p.endpointId],
    success: { status: 200, schema: "WebhookEndpoint" },
  },
  {
    operationId: "updateWebhookEndpoint",
    method: "PATCH",
    path: "/v1/webhooks/endpoints/{endpoint_id}",
    summary: "Update a webhook endpoint; disabled: false re-enables it",
    auth: "secretKey",
    parameters: [p.endpointId],
    body: "UpdateWebhookEndpointRequest",
    success: { status: 200, schema: "WebhookEndpoint" },
    idempotent: true,
  },
  {
    operationId: "deleteWebhookEndpoint",
    method: "DELETE",
    path: "/v1/webhooks/endpoints/{endpoint_id}",
    summary: "Delete a webhook endpoint and its deliveries",
    auth: "secretKey",
    parameters: [p.endpointId],
    success: { status: 200, schema: "Deleted" },
    idempotent: true,
  },
  {
    operationId: "rotateWebhookEndpointSecret",
    method: "POST",
    path: "/v1/webhooks/endpoints/{endpoint_id}/rotate-secret",
    summary: "New signing secret (shown only now); the old one signs too for 24 hours",
    auth: "secretKey",
    parameters: [p.endpointId],
    success: { status: 200, schema: "WebhookEndpointWithSecret" },
  },
  {
    operationId: "listWebhookDeliveries",
    method: "GET",
    path: "/v1/webhooks/endpoints/{endpoint_id}/deliveries",
    summary: "An endpoint's deliveries, newest first, with every attempt",
    auth: "secretKey",
    parameters: [p.endpointId, ...page],
    success: { status: 200, schema: "WebhookDeliveriesPage" },
  },
  {
    operationId: "resendWebhookDelivery",
    method: "POST",
    path: "/v1/webhooks/endpoints/{endpoint_id}/deliveries/{delivery_id}/resend",
    summary: "Send a delivery again now, with a fresh retry schedule",
    auth: "secretKey",
    parameters: [p.endpointId, p.deliveryId],
    success: { status: 200, schema: "WebhookDelivery" },
    idempotent: true,
  },
  { operationId: "health", method: "GET", path: "/health", summary: "Liveness", auth: "public", success: { status: 200, schema: "Health" } },
] as const satisfies readonly Operation[];

/**
 * Every operation of the HelloJohn Users API, as plain {@link Operation}s.
 * The server registers one route per entry and `openApiDocument()` describes them.
 *
 * @example
 * ```ts
 * import { operations } from "@hellojohn/server";
 * console.log(operations.map((op) => `${op.method} ${op.path}`));
 * ```
 */
export const operations: readonly Operation[] = contract;

/** The `operationId` of an operation of the contract. */
export type OperationId = (typeof contract)[number]["operationId"];
