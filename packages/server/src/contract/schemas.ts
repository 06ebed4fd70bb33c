import { Type, type Static, type StringOptions, type TInteger, type TSchema, type TString, type TUnsafe, type UnsafeOptions } from "@sinclair/typebox";
// biome-ignore lint/correctness/noUnusedImports: declaration files name the symbol keys TypeBox schemas carry through these (TS4023 without them).
import type { Hint, Kind, OptionalKind, ReadonlyKind } from "@sinclair/typebox";
import { idPattern } from "../crypto/ids.js";

// The HTTP contract, written once with TypeBox. Each schema is at the same
// time a JSON Schema (valid as an OpenAPI 3.1 component schema and as a
// Fastify/Ajv route schema) and, through `Static<…>`, the TypeScript type of
// what it describes. Every length limit of the API lives here and nowhere
// else: validation code that must repeat a check (the CLI import reads no
// HTTP) reads the number from these schemas.

/** A JSON Schema, as the OpenAPI document and Fastify take it. */
export type JsonSchema = Record<string, unknown>;

/**
 * The API error code a failed length or range check of this field answers
 * (e.g. `invalid_password`), instead of the generic `invalid_length` /
 * `out_of_range`. An OpenAPI extension, so the document states it too.
 */
export const ERROR_CODE_KEYWORD = "x-error-code";

/** Options of a string field whose limits callers may read back as literal numbers. */
type LimitedStringOptions = StringOptions & { [ERROR_CODE_KEYWORD]?: string };

/** A string schema whose options (its limits) keep their literal types. */
function str<const O extends LimitedStringOptions>(options?: O): TString & O {
  return Type.String(options) as TString & O;
}

/** A string or null, written `type: ["string", "null"]` (not `anyOf`) as the wire format has always been described. */
function nullableStr<const O extends LimitedStringOptions>(options?: O): TUnsafe<string | null> & O {
  return Type.Unsafe<string | null>({ ...options, type: ["string", "null"] }) as TUnsafe<string | null> & O;
}

/** One of a few strings, written `type: "string", enum: […]`. */
function enumOf<const T extends string>(values: readonly T[], options: UnsafeOptions = {}): TUnsafe<T> {
  return Type.Unsafe<T>({ type: "string", enum: [...values], ...options });
}

/** `null` or an object, written `oneOf`. */
function nullOr<T extends TSchema>(schema: T): TUnsafe<Static<T> | null> {
  return Type.Unsafe<Static<T> | null>({ oneOf: [Type.Null(), schema] });
}

/** A reference to a component schema by name, typed as the schema it names. */
function ref<T extends TSchema>(name: string, _schema: T): TUnsafe<Static<T>> {
  return Type.Unsafe<Static<T>>({ $ref: `#/components/schemas/${name}` });
}

const opt = Type.Optional;
const dateTime = str({ format: "date-time" });
const nullableDateTime = nullableStr({ format: "date-time" });
const bool = Type.Boolean();
const count = Type.Integer({ minimum: 0 });
const metadata = Type.Unsafe<Record<string, unknown>>({ type: "object", additionalProperties: true, description: "Free-form JSON, at most 16 KiB serialized." });
const freeObject = (description?: string) =>
  Type.Unsafe<Record<string, unknown>>({ type: "object", additionalProperties: true, ...(description === undefined ? {} : { description }) });

/** A request body: unknown fields are an error that names them, never silently dropped. */
const body = <P extends Record<string, TSchema>>(properties: P) => Type.Object(properties, { additionalProperties: false });

const list = <T extends TSchema>(name: string, item: T) => Type.Object({ data: Type.Array(ref(name, item)), next_cursor: nullableStr(), total: count });

// ---------------------------------------------------------------------------
// Fields with limits. Services and the import check these same numbers.
// ---------------------------------------------------------------------------

/** Longest email address (RFC 5321's path limit, as validation has always applied it). */
export const Email = str({ maxLength: 254, [ERROR_CODE_KEYWORD]: "invalid_email" });
/** A password set through the API: 8 to 128 characters. */
export const Password = str({ minLength: 8, maxLength: 128, [ERROR_CODE_KEYWORD]: "invalid_password" });
/** A first or last name; blank is stored as null. */
export const PersonName = nullableStr({ maxLength: 200, [ERROR_CODE_KEYWORD]: "invalid_name" });
/**
 * A username: 3 to 64 letters, digits, `.`, `_` or `-`, starting with a letter or
 * digit. Unique per tenant regardless of case; shown as written. Null clears it.
 */
export const Username = nullableStr({
  minLength: 3,
  maxLength: 64,
  pattern: "^[A-Za-z0-9][A-Za-z0-9._-]*$",
  [ERROR_CODE_KEYWORD]: "invalid_username",
  description: "3 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit; unique per tenant, case-insensitively",
});
/** E.164: "+", then up to 15 digits. */
export const PhoneNumber = nullableStr({ maxLength: 16, [ERROR_CODE_KEYWORD]: "invalid_phone_number" });
export const AvatarUrl = nullableStr({ maxLength: 2048, [ERROR_CODE_KEYWORD]: "invalid_avatar_url" });
export const OrganizationName = str({ maxLength: 200, [ERROR_CODE_KEYWORD]: "invalid_name" });
export const WebhookUrl = str({ maxLength: 2048, [ERROR_CODE_KEYWORD]: "invalid_webhook_url" });
export const WebhookDescription = nullableStr({ maxLength: 500, [ERROR_CODE_KEYWORD]: "invalid_description" });
export const ImpersonationReason = str({ maxLength: 500, [ERROR_CODE_KEYWORD]: "invalid_reason", description: "Why you impersonate: 1 to 500 characters" });
/** How long an impersonation token lives, in seconds. */
export const ImpersonationSeconds = Type.Integer({ minimum: 1, maximum: 3600, [ERROR_CODE_KEYWORD]: "invalid_expires_in" }) as TInteger & { minimum: 1; maximum: 3600 };
/** An `Idempotency-Key` header. */
export const IdempotencyKey = str({ minLength: 1, maxLength: 255 });
const ShortId = str({ maxLength: 64 });
/** A member's role: lowercase letters, digits, "_", ":" or "-". */
export const Role = str({ maxLength: 50, [ERROR_CODE_KEYWORD]: "invalid_role" });
const Audience = str({ maxLength: 256 });
const RefreshToken = str({ maxLength: 256 });
const EventTypeName = str({ maxLength: 64 });
/** Selects the session's active organization: its access tokens then carry `org_id` and `org_role`. */
const organizationSelection = str({ maxLength: 64, description: "Active organization; the access token carries org_id and org_role" });

// ---------------------------------------------------------------------------
// Resources
// ---------------------------------------------------------------------------

const ErrorBody = Type.Object({
  error: Type.Object({
    type: str({ description: "Error family, e.g. validation_error" }),
    code: str({ description: "Machine-readable reason, e.g. email_taken" }),
    message: str(),
    param: opt(str({ description: "The request field that was wrong" })),
    requestId: str(),
  }),
});

const User = Type.Object({
  id: str({ pattern: idPattern("usr") }),
  email: str(),
  email_verified: bool,
  username: nullableStr(),
  first_name: nullableStr(),
  last_name: nullableStr(),
  phone_number: nullableStr(),
  avatar_url: nullableStr(),
  metadata,
  created_at: dateTime,
  updated_at: dateTime,
  last_sign_in_at: nullableDateTime,
  disabled: bool,
});

const CreateUserRequest = body({
  email: Email,
  password: opt(Password),
  username: opt(Username),
  first_name: opt(PersonName),
  last_name: opt(PersonName),
  phone_number: opt(PhoneNumber),
  avatar_url: opt(AvatarUrl),
  email_verified: opt(bool),
  metadata: opt(metadata),
});

const UpdateUserRequest = body({
  email: opt(Email),
  username: opt(Username),
  first_name: opt(PersonName),
  last_name: opt(PersonName),
  phone_number: opt(PhoneNumber),
  avatar_url: opt(AvatarUrl),
  email_verified: opt(bool),
  metadata: opt(metadata),
  disabled: opt(bool),
  password: opt(str({ ...Password, description: "Hashed like any password; revokes the user's sessions unless revoke_sessions is false" })),
  revoke_sessions: opt(Type.Boolean({ description: "With password: whether to revoke every session and refresh token (default true)" })),
});

/**
 * An import row's profile fields carry no limits of their own: each row is
 * checked against the fields' limits above (`Email`, `PersonName`, …) by the
 * import itself, so a value over a limit refuses its row, named in that row's
 * result, and the rest of the batch goes in.
 */
const rowChecked = (field: { description?: string | undefined }, limit: string) =>
  str({ description: `${field.description ?? limit}; checked per row: a value outside it refuses the row` });
const rowCheckedNullable = (limit: string) => nullableStr({ description: `${limit}; checked per row: a value outside it refuses the row` });

const ImportUser = body({
  id: opt(ShortId),
  email: rowChecked(Email, `At most ${Email.maxLength} characters`),
  password: opt(rowChecked(Password, `${Password.minLength} to ${Password.maxLength} characters`)),
  password_hash: opt(
    str({
      maxLength: 1024,
      description:
        "bcrypt ($2a$/$2b$/$2y$), Argon2 ($argon2id$/$argon2i$/$argon2d$) or Firebase scrypt ($firebase-scrypt$v=1,n=MEM_COST,r=ROUNDS$SALT_SEPARATOR$SIGNER_KEY$SALT$HASH)",
    }),
  ),
  username: opt(rowCheckedNullable(`${Username.minLength} to ${Username.maxLength} letters, digits, '.', '_' or '-'`)),
  first_name: opt(rowCheckedNullable(`At most ${PersonName.maxLength} characters`)),
  last_name: opt(rowCheckedNullable(`At most ${PersonName.maxLength} characters`)),
  phone_number: opt(rowCheckedNullable(`E.164, at most ${PhoneNumber.maxLength} characters`)),
  avatar_url: opt(rowCheckedNullable(`An http(s) URL of at most ${AvatarUrl.maxLength} characters`)),
  email_verified: opt(bool),
  metadata: opt(metadata),
  disabled: opt(bool),
  created_at: opt(str({ maxLength: 64, description: "ISO 8601; when the user was created at the provider" })),
});

const ImportUsersRequest = body({ users: Type.Array(ImportUser, { minItems: 1, maxItems: 1000 }) });

const ImportUsersResult = Type.Object({
  created: count,
  skipped: count,
  refused: count,
  results: Type.Array(
    Type.Object({
      index: count,
      status: enumOf(["created", "skipped", "refused"]),
      id: nullableStr(),
      email: nullableStr(),
      error: nullOr(Type.Object({ code: str(), message: str(), param: nullableStr() })),
    }),
  ),
});

const ImpersonateRequest = body({
  reason: ImpersonationReason,
  expires_in: opt(ImpersonationSeconds),
  organization_id: opt(str({ maxLength: 64, description: "Token carries org_id and org_role" })),
});
const Impersonation = Type.Object({ access_token: str(), expires_at: dateTime, session_id: str({ pattern: idPattern("ses") }) });
const Deleted = Type.Object({ id: str(), deleted: Type.Literal(true) });

const sessionStatus = enumOf(["active", "revoked", "expired"]);
const Session = Type.Object({
  id: str({ pattern: idPattern("ses") }),
  status: sessionStatus,
  created_at: dateTime,
  expires_at: dateTime,
  revoked_at: nullableDateTime,
  last_used_at: nullableDateTime,
  ip_address: nullableStr(),
  user_agent: nullableStr(),
  impersonator: nullOr(Type.Object({ actor_id: str(), reason: str() })),
  organization_id: nullableStr({ description: "The organization selected when the session was opened" }),
});
const SessionStatus = Type.Object({ id: str(), user_id: str(), status: sessionStatus, expires_at: dateTime, revoked_at: nullableDateTime });

const AuditEvent = Type.Object({
  id: str(),
  type: str(),
  actor: Type.Object({ type: str(), id: nullableStr() }),
  ip_address: nullableStr(),
  user_agent: nullableStr(),
  data: freeObject(),
  created_at: dateTime,
});

const UserExport = Type.Object({
  exported_at: dateTime,
  user: ref("User", User),
  sessions: Type.Array(ref("Session", Session)),
  mfa_factors: Type.Array(Type.Object({ id: str(), type: str(), created_at: dateTime })),
  oauth_connections: Type.Array(Type.Object({ id: str(), provider: str(), provider_user_id: str(), created_at: dateTime })),
  memberships: Type.Array(Type.Object({ org_id: str(), org_name: str(), role: str(), created_at: dateTime })),
  audit_events: Type.Array(ref("AuditEvent", AuditEvent)),
});

const Organization = Type.Object({ id: str({ pattern: idPattern("org") }), name: str(), metadata, created_at: dateTime, updated_at: dateTime });
const Membership = Type.Object({ org_id: str(), user_id: str(), role: str(), created_at: dateTime });

const Tokens = Type.Object({
  token_type: Type.Literal("Bearer"),
  access_token: str(),
  expires_at: dateTime,
  refresh_token: str(),
  session_id: str(),
  user: opt(ref("User", User)),
});

const Event = Type.Object({
  id: str({ pattern: idPattern("evt") }),
  type: str({ description: "e.g. user.created; see the list in the README" }),
  created_at: dateTime,
  data: freeObject("The object as the API returns it; a deleted object's ID only"),
  changed_fields: opt(Type.Array(str(), { description: "On *.updated events: the fields the change named" })),
});

const WebhookEndpoint = Type.Object({
  id: str({ pattern: idPattern("whe") }),
  url: str(),
  description: nullableStr(),
  events: Type.Array(str()),
  disabled: bool,
  disabled_reason: nullableStr(),
  created_at: dateTime,
  updated_at: dateTime,
});
const webhookEvents = Type.Array(EventTypeName, { minItems: 1, maxItems: 50 });

const WebhookAttempt = Type.Object({
  id: str(),
  attempted_at: dateTime,
  status_code: Type.Unsafe<number | null>({ type: ["integer", "null"] }),
  latency_ms: count,
  succeeded: bool,
  response_excerpt: nullableStr(),
  error: nullableStr(),
});
const WebhookDelivery = Type.Object({
  id: str({ pattern: idPattern("whd") }),
  endpoint_id: str(),
  event_id: str(),
  event_type: str(),
  status: enumOf(["pending", "succeeded", "failed"]),
  attempt_count: count,
  next_attempt_at: nullableDateTime,
  created_at: dateTime,
  updated_at: dateTime,
  attempts: Type.Array(ref("WebhookAttempt", WebhookAttempt)),
});

/**
 * The component schemas of the contract (request bodies, resources, errors),
 * by name, as they appear under `components.schemas` of the OpenAPI document.
 * `Static<typeof schemas.User>` is the TypeScript type of a user on the wire.
 */
export const schemas = {
  Error: ErrorBody,
  User,
  UsersPage: list("User", User),
  CreateUserRequest,
  UpdateUserRequest,
  ImportUsersRequest,
  ImportUsersResult,
  ImpersonateRequest,
  Impersonation,
  Deleted,
  Session,
  SessionsPage: list("Session", Session),
  SessionStatus,
  AuditEvent,
  UserExport,
  Organization,
  OrganizationsPage: list("Organization", Organization),
  CreateOrganizationRequest: body({ name: OrganizationName, metadata: opt(metadata) }),
  UpdateOrganizationRequest: body({ name: opt(OrganizationName), metadata: opt(metadata) }),
  AddMemberRequest: body({ user_id: ShortId, role: opt(Role) }),
  UpdateMemberRequest: body({ role: str({ ...Role, description: 'Reserved roles: "admin", "member"; others are yours' }) }),
  Membership,
  MembershipsPage: list("Membership", Membership),
  Jwks: Type.Object({ keys: Type.Array(Type.Object({ kty: str(), crv: str(), x: str(), kid: str(), alg: str(), use: str() })) }),
  OpenIdConfiguration: Type.Object({
    issuer: str(),
    jwks_uri: str(),
    id_token_signing_alg_values_supported: Type.Array(str()),
    subject_types_supported: Type.Array(str()),
    claims_supported: Type.Array(str()),
  }),
  // Sign-in takes any stored password's length (imported ones may be longer than 128), never more than this.
  SignInRequest: body({ email: Email, password: str({ maxLength: 1024 }), audience: opt(Audience), authorized_party: opt(Audience), organization_id: opt(organizationSelection) }),
  RefreshRequest: body({ refresh_token: RefreshToken, audience: opt(Audience), authorized_party: opt(Audience), organization_id: opt(organizationSelection) }),
  SignOutRequest: body({ refresh_token: RefreshToken }),
  Tokens,
  SignedOut: Type.Object({ session_id: str(), revoked: Type.Literal(true) }),
  Event,
  EventsPage: Type.Object({
    data: Type.Array(ref("Event", Event)),
    next_cursor: nullableStr({ description: "The last event's ID when more follow; pass it as `after`" }),
  }),
  WebhookEndpoint,
  WebhookEndpointWithSecret: Type.Intersect([
    ref("WebhookEndpoint", WebhookEndpoint),
    Type.Object({ secret: str({ pattern: "^whsec_[A-Za-z0-9+/=]+$", description: "Shown only in this response" }) }),
  ]),
  WebhookEndpointsPage: list("WebhookEndpoint", WebhookEndpoint),
  CreateWebhookEndpointRequest: body({ url: WebhookUrl, events: webhookEvents, description: opt(WebhookDescription) }),
  UpdateWebhookEndpointRequest: body({ url: opt(WebhookUrl), events: opt(webhookEvents), description: opt(WebhookDescription), disabled: opt(bool) }),
  WebhookAttempt,
  WebhookDelivery,
  WebhookDeliveriesPage: list("WebhookDelivery", WebhookDelivery),
  Health: Type.Object({
    status: Type.Literal("ok"),
    limits: Type.Object({
      store: enumOf(["redis", "memory"], { description: "`redis`: limits shared by every instance; `memory`: this instance only" }),
      redis: enumOf(["connected", "unavailable", "not_configured"], { description: "`unavailable`: Redis is configured but unreachable, limits fell back" }),
    }),
  }),
} satisfies Record<string, TSchema>;

/** The name of a component schema. */
export type SchemaName = keyof typeof schemas;

/** The wire type of the component schema `N`, e.g. `Wire<"User">`. */
export type Wire<N extends SchemaName> = Static<(typeof schemas)[N]>;

/** A path, query or header parameter of an operation. */
export interface Parameter {
  readonly name: string;
  readonly in: "path" | "query";
  readonly required?: boolean;
  readonly schema: TSchema;
}

function param<const N extends string, const L extends "path" | "query", S extends TSchema>(
  name: N,
  location: L,
  schema: S,
): { readonly name: N; readonly in: L; readonly schema: S };
function param<const N extends string, S extends TSchema>(
  name: N,
  location: "query",
  schema: S,
  required: true,
): { readonly name: N; readonly in: "query"; readonly schema: S; readonly required: true };
function param(name: string, location: "path" | "query", schema: TSchema, required?: true): Parameter {
  return { name, in: location, schema, ...(required === undefined ? {} : { required }) };
}

/** Query and path parameter schemas, by name. */
export const parameters = {
  userId: param("user_id", "path", ShortId),
  orgId: param("org_id", "path", ShortId),
  sessionId: param("session_id", "path", ShortId),
  tenantId: param("tenant_id", "path", ShortId),
  limit: param("limit", "query", Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
  cursor: param("cursor", "query", str({ maxLength: 512 })),
  search: param("search", "query", str({ maxLength: 200 })),
  status: param("status", "query", enumOf(["active", "disabled"])),
  orgFilter: param("org_id", "query", ShortId),
  email: param("email", "query", Email, true),
  endpointId: param("endpoint_id", "path", ShortId),
  deliveryId: param("delivery_id", "path", ShortId),
  eventTypes: param("types", "query", str({ maxLength: 1024, description: "Comma-separated event types" })),
  after: param("after", "query", str({ maxLength: 64, description: "An event ID: start after it" })),
} as const satisfies Record<string, Parameter>;
