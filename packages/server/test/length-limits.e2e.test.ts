import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contract } from "../src/contract/operations.js";
import { schemas, type JsonSchema, type SchemaName } from "../src/contract/schemas.js";
import { backends } from "./backends.js";
import { email, harness, type Harness } from "./helpers.js";

// Every length limit of a request body, found by walking the schemas (a new
// field is covered without touching this file): a value at the limit passes,
// one character over is a 400 validation_error naming the field, over real
// HTTP; and the committed openapi.json states the same limit.

interface LimitedField {
  /** The body schema's name, e.g. CreateUserRequest. */
  body: SchemaName;
  /** Dotted path in the body as the error's `param` names it, e.g. `users.0.email`. */
  param: string;
  /** Path of the field's schema inside the body schema, for openapi.json. */
  schemaPath: string[];
  maxLength: number;
}

function limitedFields(body: SchemaName): LimitedField[] {
  const found: LimitedField[] = [];
  const walk = (schema: JsonSchema, param: string[], schemaPath: string[]): void => {
    const properties = schema.properties as Record<string, JsonSchema> | undefined;
    for (const [name, child] of Object.entries(properties ?? {})) walk(child, [...param, name], [...schemaPath, "properties", name]);
    if (schema.type === "array" && schema.items !== undefined) walk(schema.items as JsonSchema, [...param, "0"], [...schemaPath, "items"]);
    if (typeof schema.maxLength === "number") found.push({ body, param: param.join("."), schemaPath, maxLength: schema.maxLength });
  };
  walk(schemas[body], [], []);
  return found;
}

const bodies = [...new Set(contract.flatMap((op) => ("body" in op ? [op.body] : [])))];
const fields = bodies.flatMap(limitedFields);

/**
 * Fields whose value has a format (an ID, a token, a timestamp, a hash, a
 * known event type): a value at the length limit cannot also be well-formed,
 * so only "one over is refused" is checked for them. A new field lands here
 * only on purpose.
 */
const FORMAT_BOUND = new Set([
  "ImportUsersRequest users.0.id",
  "ImportUsersRequest users.0.password_hash",
  "ImportUsersRequest users.0.created_at",
  "ImpersonateRequest organization_id",
  "AddMemberRequest user_id",
  "SignInRequest organization_id",
  "RefreshRequest refresh_token",
  "RefreshRequest organization_id",
  "SignOutRequest refresh_token",
  "CreateWebhookEndpointRequest events.0",
  "UpdateWebhookEndpointRequest events.0",
]);

/** A well-formed value of exactly `length` characters for `field`. */
function valueFor(field: LimitedField, length: number): string {
  const leaf = field.param.split(".").pop() ?? "";
  if (leaf === "email") {
    const domain = `@${email("limit").split("@")[0]}.example.com`;
    return `${"a".repeat(length - domain.length)}${domain}`;
  }
  if (leaf === "avatar_url" || leaf === "url") {
    const base = "http://127.0.0.1/";
    return `${base}${"a".repeat(length - base.length)}`;
  }
  if (leaf === "phone_number") return `+1${"5".repeat(length - 2)}`;
  // Unique per call: a username at the limit is a new user's, not one an earlier request took.
  if (leaf === "username") {
    const tag =
      email("u")
        .split("@")[0]
        ?.replace(/[^A-Za-z0-9]/g, "") ?? "";
    return `${tag}${"a".repeat(Math.max(0, length - tag.length))}`.slice(0, length);
  }
  return "a".repeat(length);
}

/** Sets `value` at the dotted `param` of a copy of `body`. */
function withValue(body: Record<string, unknown>, param: string, value: string): Record<string, unknown> {
  const copy = structuredClone(body);
  const keys = param.split(".");
  let target: Record<string, unknown> = copy;
  for (const key of keys.slice(0, -1)) target = target[key] as Record<string, unknown>;
  target[keys[keys.length - 1] ?? ""] = value;
  return copy;
}

describe("the contract's length limits", () => {
  it("covers the fields the issue names, so the walk cannot silently find nothing", () => {
    const names = fields.map((f) => `${f.body} ${f.param}`);
    for (const expected of [
      "CreateUserRequest first_name",
      "CreateUserRequest password",
      "UpdateUserRequest last_name",
      "ImportUsersRequest users.0.created_at",
      "CreateOrganizationRequest name",
    ]) {
      expect(names).toContain(expected);
    }
    for (const bound of FORMAT_BOUND) expect(names, `${bound} is no longer a limited field`).toContain(bound);
  });

  it("are the ones the committed openapi.json states", () => {
    const document = JSON.parse(readFileSync(new URL("../openapi.json", import.meta.url), "utf8")) as { components: { schemas: Record<string, JsonSchema> } };
    for (const field of fields) {
      let schema: JsonSchema | undefined = document.components.schemas[field.body];
      for (const key of field.schemaPath) schema = schema?.[key] as JsonSchema | undefined;
      expect(schema?.maxLength, `${field.body} ${field.param}`).toBe(field.maxLength);
    }
  });
});

describe.each(await backends())("length limits over HTTP on $name", (backend) => {
  let h: Harness;
  /** The operation's path with real IDs, and a minimal valid body, per body schema. */
  const requests = new Map<SchemaName, { method: string; path: () => string; body: () => Record<string, unknown> }>();
  let ids: { user: string; member: string; org: string; endpoint: string };
  const password = "Correct-Horse-1";

  beforeAll(async () => {
    h = await harness(backend);
    const user = await h.hj.users.create({ email: email("limits"), password });
    const member = await h.hj.users.create({ email: email("member") });
    const org = await h.hj.organizations.create({ name: "Limits" });
    await h.hj.organizations.addMember(org.id, { userId: member.id });
    const endpoint = await h.hj.webhooks.endpoints.create({ url: "http://127.0.0.1:9/hook", events: ["user.created"] });
    ids = { user: user.id, member: member.id, org: org.id, endpoint: endpoint.id };
    const tenant = `/v1/tenants/${h.t.tenantId}`;
    const add = (body: SchemaName, method: string, path: () => string, make: () => Record<string, unknown>): void => {
      requests.set(body, { method, path, body: make });
    };
    add(
      "CreateUserRequest",
      "POST",
      () => "/v1/users",
      () => ({ email: email("create") }),
    );
    add(
      "UpdateUserRequest",
      "PATCH",
      () => `/v1/users/${ids.user}`,
      () => ({}),
    );
    add(
      "ImportUsersRequest",
      "POST",
      () => "/v1/users/import",
      () => ({ users: [{ email: email("import") }] }),
    );
    add(
      "ImpersonateRequest",
      "POST",
      () => `/v1/users/${ids.user}/impersonate`,
      () => ({ reason: "support" }),
    );
    add(
      "CreateOrganizationRequest",
      "POST",
      () => "/v1/organizations",
      () => ({ name: "Acme" }),
    );
    add(
      "UpdateOrganizationRequest",
      "PATCH",
      () => `/v1/organizations/${ids.org}`,
      () => ({}),
    );
    add(
      "AddMemberRequest",
      "POST",
      () => `/v1/organizations/${ids.org}/members`,
      () => ({ user_id: ids.user }),
    );
    add(
      "UpdateMemberRequest",
      "PATCH",
      () => `/v1/organizations/${ids.org}/members/${ids.member}`,
      () => ({ role: "member" }),
    );
    add(
      "SignInRequest",
      "POST",
      () => `${tenant}/auth/sign-in`,
      () => ({ email: "nobody@example.com", password }),
    );
    add(
      "RefreshRequest",
      "POST",
      () => `${tenant}/auth/refresh`,
      () => ({ refresh_token: "rt_unknown" }),
    );
    add(
      "SignOutRequest",
      "POST",
      () => `${tenant}/auth/sign-out`,
      () => ({ refresh_token: "rt_unknown" }),
    );
    add(
      "CreateWebhookEndpointRequest",
      "POST",
      () => "/v1/webhooks/endpoints",
      () => ({ url: "http://127.0.0.1:9/hook", events: ["user.created"] }),
    );
    add(
      "UpdateWebhookEndpointRequest",
      "PATCH",
      () => `/v1/webhooks/endpoints/${ids.endpoint}`,
      () => ({}),
    );
  });
  afterAll(async () => h.close());

  const send = async (field: LimitedField, value: string): Promise<{ status: number; body: { error?: { type: string; code: string; param?: string } } }> => {
    const request = requests.get(field.body);
    if (request === undefined) throw new Error(`no request for ${field.body}: add one above`);
    const body = field.param.startsWith("events.") ? { ...request.body(), events: [value] } : withValue(request.body(), field.param, value);
    const response = await fetch(`${h.t.url}${request.path()}`, {
      method: request.method,
      headers: { authorization: `Bearer ${h.t.secretKey}`, "hellojohn-tenant-id": h.t.tenantId, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as { error?: { type: string; code: string; param?: string } } };
  };

  it.each(fields.map((f) => [`${f.body} ${f.param} (${f.maxLength})`, f] as const))("%s: at the limit passes, one over is a 400 naming it", async (label, field) => {
    if (!FORMAT_BOUND.has(label.replace(/ \(\d+\)$/, ""))) {
      const at = await send(field, valueFor(field, field.maxLength));
      // Passing validation: a success, or a refusal about something else (wrong credentials, a taken email).
      expect(at.body.error?.param === field.param && at.status === 400 ? at.body.error : undefined, label).toBeUndefined();
      if (field.body === "ImportUsersRequest") expect((at.body as { refused?: number }).refused, label).toBe(0);
    }
    const over = await send(field, valueFor(field, field.maxLength + 1));
    expect(over.status, label).toBe(400);
    expect(over.body.error, label).toMatchObject({ type: "validation_error", param: field.param });
  });
});
