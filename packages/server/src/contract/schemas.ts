import { idPattern } from "../crypto/ids.js";

// JSON Schemas of the HTTP contract, written once. They are valid both as
// OpenAPI 3.1 component schemas and as Fastify (Ajv) route schemas.

export type JsonSchema = Record<string, unknown>;

export const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const str = (extra: JsonSchema = {}): JsonSchema => ({ type: "string", ...extra });
const nullableStr = (extra: JsonSchema = {}): JsonSchema => ({ type: ["string", "null"], ...extra });
const dateTime = str({ format: "date-time" });
const nullableDateTime = nullableStr({ format: "date-time" });
const metadata: JsonSchema = { type: "object", additionalProperties: true, description: "Free-form JSON, at most 16 KiB serialized." };

const object = (properties: Record<string, JsonSchema>, required: string[] = Object.keys(properties), extra: JsonSchema = {}): JsonSchema => ({
  type: "object",
  properties,
  required,
  ...extra,
});

/** A request body: unknown fields are an error that names them, never silently dropped. */
const body = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema =>
  object(properties, required, { additionalProperties: false });

/** Selects the session's active organization: its access tokens then carry `org_id` and `org_role`. */
const organizationSelection = str({ maxLength: 64, description: "Active organization; the access token carries org_id and org_role" });

const list = (item: string): JsonSchema =>
  object({ data: { type: "array", items: ref(item) }, next_cursor: nullableStr(), total: { type: "integer", minimum: 0 } });

/**
 * The component schemas of the contract (request bodies, resources, errors),
 * by name, as they appear under `components.schemas` of the OpenAPI document.
 */
export const schemas: Record<string, JsonSchema> = {
  Error: object({
    error: object(
      {
        type: str({ description: "Error family, e.g. validation_error" }),
        code: str({ description: "Machine-readable reason, e.g. email_taken" }),
        message: str(),
        param: str({ description: "The request field that was wrong" }),
        requestId: str(),
      },
      ["type", "code", "message", "requestId"],
    ),
  }),
  User: object({
    id: str({ pattern: idPattern("usr") }),
    email: str(),
    email_verified: { type: "boolean" },
    first_name: nullableStr(),
    last_name: nullableStr(),
    phone_number: nullableStr(),
    avatar_url: nullableStr(),
    metadata,
    created_at: dateTime,
    updated_at: dateTime,
    last_sign_in_at: nullableDateTime,
    disabled: { type: "boolean" },
  }),
  UsersPage: list("User"),
  CreateUserRequest: body(
    {
      email: str({ maxLength: 320 }),
      password: str({ maxLength: 1024 }),
      first_name: nullableStr({ maxLength: 1024 }),
      last_name: nullableStr({ maxLength: 1024 }),
      phone_number: nullableStr({ maxLength: 64 }),
      avatar_url: nullableStr({ maxLength: 4096 }),
      email_verified: { type: "boolean" },
      metadata,
    },
    ["email"],
  ),
  UpdateUserRequest: body({
    email: str({ maxLength: 320 }),
    first_name: nullableStr({ maxLength: 1024 }),
    last_name: nullableStr({ maxLength: 1024 }),
    phone_number: nullableStr({ maxLength: 64 }),
    avatar_url: nullableStr({ maxLength: 4096 }),
    email_verified: { type: "boolean" },
    metadata,
    disabled: { type: "boolean" },
    password: str({ maxLength: 1024, description: "Hashed like any password; revokes the user's sessions unless revoke_sessions is false" }),
    revoke_sessions: { type: "boolean", description: "With password: whether to revoke every session and refresh token (default true)" },
  }),
  ImportUsersRequest: body(
    {
      users: {
        type: "array",
        minItems: 1,
        maxItems: 1000,
        items: body(
          {
            id: str({ maxLength: 64 }),
            email: str({ maxLength: 320 }),
            password: str({ maxLength: 1024 }),
            password_hash: str({ maxLength: 1024, description: "bcrypt ($2a$/$2b$/$2y$), Argon2 ($argon2id$/$argon2i$/$argon2d$) or Firebase scrypt ($firebase-scrypt$v=1,n=MEM_COST,r=ROUNDS$SALT_SEPARATOR$SIGNER_KEY$SALT$HASH)" }),
            first_name: nullableStr({ maxLength: 1024 }),
            last_name: nullableStr({ maxLength: 1024 }),
            phone_number: nullableStr({ maxLength: 64 }),
            avatar_url: nullableStr({ maxLength: 4096 }),
            email_verified: { type: "boolean" },
            metadata,
            disabled: { type: "boolean" },
            created_at: str({ maxLength: 64, description: "ISO 8601; when the user was created at the provider" }),
          },
          ["email"],
        ),
      },
    },
    ["users"],
  ),
  ImportUsersResult: object({
    created: { type: "integer", minimum: 0 },
    skipped: { type: "integer", minimum: 0 },
    refused: { type: "integer", minimum: 0 },
    results: {
      type: "array",
      items: object({
        index: { type: "integer", minimum: 0 },
        status: { type: "string", enum: ["created", "skipped", "refused"] },
        id: nullableStr(),
        email: nullableStr(),
        error: { oneOf: [{ type: "null" }, object({ code: str(), message: str(), param: nullableStr() })] },
      }),
    },
  }),
  ImpersonateRequest: body(
    { reason: str({ maxLength: 4096 }), expires_in: { type: "integer" }, organization_id: str({ maxLength: 64, description: "Token carries org_id and org_role" }) },
    ["reason"],
  ),
  Impersonation: object({ access_token: str(), expires_at: dateTime, session_id: str({ pattern: idPattern("ses") }) }),
  Deleted: object({ id: str(), deleted: { type: "boolean", const: true } }),
  Session: object({
    id: str({ pattern: idPattern("ses") }),
    status: { type: "string", enum: ["active", "revoked", "expired"] },
    created_at: dateTime,
    expires_at: dateTime,
    revoked_at: nullableDateTime,
    last_used_at: nullableDateTime,
    ip_address: nullableStr(),
    user_agent: nullableStr(),
    impersonator: { oneOf: [{ type: "null" }, object({ actor_id: str(), reason: str() })] },
    organization_id: nullableStr({ description: "The organization selected when the session was opened" }),
  }),
  SessionsPage: list("Session"),
  SessionStatus: object({
    id: str(),
    user_id: str(),
    status: { type: "string", enum: ["active", "revoked", "expired"] },
    expires_at: dateTime,
    revoked_at: nullableDateTime,
  }),
  AuditEvent: object({
    id: str(),
    type: str(),
    actor: object({ type: str(), id: nullableStr() }),
    ip_address: nullableStr(),
    user_agent: nullableStr(),
    data: { type: "object", additionalProperties: true },
    created_at: dateTime,
  }),
  UserExport: object({
    exported_at: dateTime,
    user: ref("User"),
    sessions: { type: "array", items: ref("Session") },
    mfa_factors: { type: "array", items: object({ id: str(), type: str(), created_at: dateTime }) },
    oauth_connections: { type: "array", items: object({ id: str(), provider: str(), provider_user_id: str(), created_at: dateTime }) },
    memberships: { type: "array", items: object({ org_id: str(), org_name: str(), role: str(), created_at: dateTime }) },
    audit_events: { type: "array", items: ref("AuditEvent") },
  }),
  Organization: object({ id: str({ pattern: idPattern("org") }), name: str(), metadata, created_at: dateTime, updated_at: dateTime }),
  OrganizationsPage: list("Organization"),
  CreateOrganizationRequest: body({ name: str({ maxLength: 1024 }), metadata }, ["name"]),
  UpdateOrganizationRequest: body({ name: str({ maxLength: 1024 }), metadata }),
  AddMemberRequest: body({ user_id: str({ maxLength: 64 }), role: str({ maxLength: 64 }) }, ["user_id"]),
  UpdateMemberRequest: body({ role: str({ maxLength: 64, description: 'Reserved roles: "admin", "member"; others are yours' }) }, ["role"]),
  Membership: object({ org_id: str(), user_id: str(), role: str(), created_at: dateTime }),
  MembershipsPage: list("Membership"),
  Jwks: object({
    keys: { type: "array", items: object({ kty: str(), crv: str(), x: str(), kid: str(), alg: str(), use: str() }) },
  }),
  OpenIdConfiguration: object({
    issuer: str(),
    jwks_uri: str(),
    id_token_signing_alg_values_supported: { type: "array", items: str() },
    subject_types_supported: { type: "array", items: str() },
    claims_supported: { type: "array", items: str() },
  }),
  SignInRequest: body({ email: str({ maxLength: 320 }), password: str({ maxLength: 1024 }), audience: str({ maxLength: 256 }), authorized_party: str({ maxLength: 256 }), organization_id: organizationSelection }, ["email", "password"]),
  RefreshRequest: body({ refresh_token: str({ maxLength: 256 }), audience: str({ maxLength: 256 }), authorized_party: str({ maxLength: 256 }), organization_id: organizationSelection }, ["refresh_token"]),
  SignOutRequest: body({ refresh_token: str({ maxLength: 256 }) }, ["refresh_token"]),
  Tokens: object(
    {
      token_type: str({ const: "Bearer" }),
      access_token: str(),
      expires_at: dateTime,
      refresh_token: str(),
      session_id: str(),
      user: ref("User"),
    },
    ["token_type", "access_token", "expires_at", "refresh_token", "session_id"],
  ),
  SignedOut: object({ session_id: str(), revoked: { type: "boolean", const: true } }),
  Event: object(
    {
      id: str({ pattern: idPattern("evt") }),
      type: str({ description: "e.g. user.created; see the list in the README" }),
      created_at: dateTime,
      data: { type: "object", additionalProperties: true, description: "The object as the API returns it; a deleted object's ID only" },
      changed_fields: { type: "array", items: str(), description: "On *.updated events: the fields the change named" },
    },
    ["id", "type", "created_at", "data"],
  ),
  EventsPage: object({
    data: { type: "array", items: ref("Event") },
    next_cursor: { ...nullableStr(), description: "The last event's ID when more follow; pass it as `after`" },
  }),
  WebhookEndpoint: object({
    id: str({ pattern: idPattern("whe") }),
    url: str(),
    description: nullableStr(),
    events: { type: "array", items: str() },
    disabled: { type: "boolean" },
    disabled_reason: nullableStr(),
    created_at: dateTime,
    updated_at: dateTime,
  }),
  WebhookEndpointWithSecret: {
    allOf: [ref("WebhookEndpoint"), object({ secret: str({ pattern: "^whsec_[A-Za-z0-9+/=]+$", description: "Shown only in this response" }) })],
  },
  WebhookEndpointsPage: list("WebhookEndpoint"),
  CreateWebhookEndpointRequest: body(
    { url: str({ maxLength: 2048 }), events: { type: "array", items: str({ maxLength: 64 }), minItems: 1, maxItems: 50 }, description: nullableStr({ maxLength: 1024 }) },
    ["url", "events"],
  ),
  UpdateWebhookEndpointRequest: body({
    url: str({ maxLength: 2048 }),
    events: { type: "array", items: str({ maxLength: 64 }), minItems: 1, maxItems: 50 },
    description: nullableStr({ maxLength: 1024 }),
    disabled: { type: "boolean" },
  }),
  WebhookAttempt: object({
    id: str(),
    attempted_at: dateTime,
    status_code: { type: ["integer", "null"] },
    latency_ms: { type: "integer", minimum: 0 },
    succeeded: { type: "boolean" },
    response_excerpt: nullableStr(),
    error: nullableStr(),
  }),
  WebhookDelivery: object({
    id: str({ pattern: idPattern("whd") }),
    endpoint_id: str(),
    event_id: str(),
    event_type: str(),
    status: { type: "string", enum: ["pending", "succeeded", "failed"] },
    attempt_count: { type: "integer", minimum: 0 },
    next_attempt_at: nullableDateTime,
    created_at: dateTime,
    updated_at: dateTime,
    attempts: { type: "array", items: ref("WebhookAttempt") },
  }),
  WebhookDeliveriesPage: list("WebhookDelivery"),
  Health: object({
    status: str({ const: "ok" }),
    limits: object({
      store: str({ enum: ["redis", "memory"], description: "`redis`: limits shared by every instance; `memory`: this instance only" }),
      redis: str({ enum: ["connected", "unavailable", "not_configured"], description: "`unavailable`: Redis is configured but unreachable, limits fell back" }),
    }),
  }),
};

/** Query and path parameter schemas, by name. */
export const parameters = {
  userId: { name: "user_id", in: "path", schema: str({ maxLength: 64 }) },
  orgId: { name: "org_id", in: "path", schema: str({ maxLength: 64 }) },
  sessionId: { name: "session_id", in: "path", schema: str({ maxLength: 64 }) },
  tenantId: { name: "tenant_id", in: "path", schema: str({ maxLength: 64 }) },
  limit: { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 100, default: 50 } },
  cursor: { name: "cursor", in: "query", schema: str({ maxLength: 512 }) },
  search: { name: "search", in: "query", schema: str({ maxLength: 200 }) },
  status: { name: "status", in: "query", schema: { type: "string", enum: ["active", "disabled"] } },
  orgFilter: { name: "org_id", in: "query", schema: str({ maxLength: 64 }) },
  email: { name: "email", in: "query", required: true, schema: str({ maxLength: 320 }) },
  endpointId: { name: "endpoint_id", in: "path", schema: str({ maxLength: 64 }) },
  deliveryId: { name: "delivery_id", in: "path", schema: str({ maxLength: 64 }) },
  eventTypes: { name: "types", in: "query", schema: str({ maxLength: 1024, description: "Comma-separated event types" }) },
  after: { name: "after", in: "query", schema: str({ maxLength: 64, description: "An event ID: start after it" }) },
} as const;

export type Parameter = (typeof parameters)[keyof typeof parameters];
