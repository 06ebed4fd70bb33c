import { operations, type Operation } from "./operations.js";
import { IdempotencyKey, schemas, type JsonSchema } from "./schemas.js";

const ref = (name: string): JsonSchema => ({ $ref: `#/components/schemas/${name}` });

const errorResponse = (description: string, headers?: Record<string, JsonSchema>): JsonSchema => ({
  description,
  ...(headers === undefined ? {} : { headers }),
  content: { "application/json": { schema: ref("Error") } },
});

const header = (description: string, type: "string" | "integer" = "string"): JsonSchema => ({ description, schema: { type } });
const retryAfter = header("Seconds to wait before retrying", "integer");
const rateLimitHeaders = {
  "Retry-After": retryAfter,
  RateLimit: header('Remaining quota and seconds until it resets, e.g. `"admin";r=0;t=7` (IETF draft-ietf-httpapi-ratelimit-headers)'),
  "RateLimit-Policy": header('The quota per window, e.g. `"admin";q=1000;w=10`'),
};
/** Operations that hash a password, and so may meet the hashing admission control. */
const HASHING = new Set(["signIn", "createUser", "updateUser"]);

/** What each error status means, as the document describes it. */
const ERROR_DESCRIPTIONS: Record<number, string> = {
  400: "Invalid request; `param` names the field",
  401: "Not authenticated: tenant ID and secret key not accepted, or the end user's credentials or refresh token refused",
  403: "Not permitted, e.g. `user_disabled`",
  404: "No such object in this tenant (`code` names it, e.g. `user_not_found`)",
  409: "Conflicts with the current state (e.g. `email_taken`), or a request with this Idempotency-Key is still in progress",
  413: "Request body too large",
  415: "Request body is not application/json",
  422: "This Idempotency-Key was used with a different request",
  429: "Too many requests; wait for `Retry-After` seconds",
};

/**
 * Every error status `op` can answer, derived from its shape so that new
 * operations list theirs without repeating them: any request can be invalid
 * (400) or rate limited (429); the secret key can be refused (401); a path
 * parameter can name nothing (404); a body can be too large or not JSON
 * (413, 415); an `Idempotency-Key` can be in progress (409) or reused with
 * another request (422). `op.errors` adds what the shape cannot tell (403 on
 * sign-in). 5xx are the `default` response.
 */
export function errorStatuses(op: Operation): number[] {
  const statuses = new Set<number>([400, 429, ...(op.errors ?? [])]);
  if (op.auth === "secretKey") statuses.add(401);
  if (op.path.includes("{")) statuses.add(404);
  if (op.body !== undefined) for (const status of [413, 415]) statuses.add(status);
  if (op.idempotent === true) for (const status of [409, 422]) statuses.add(status);
  return [...statuses].sort((a, b) => a - b);
}

/**
 * The OpenAPI 3.1 document of the HelloJohn Users API, built from the
 * operations table; the server serves it at `/openapi.json`.
 *
 * @example
 * ```ts
 * import { openApiDocument, VERSION } from "@hellojohn/server";
 * await writeFile("openapi.json", JSON.stringify(openApiDocument(VERSION), null, 2));
 * ```
 */
export function openApiDocument(version: string): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const op of operations) {
    const responses: Record<string, JsonSchema> = {
      [op.success.status]: { description: "Success", content: { "application/json": { schema: ref(op.success.schema) } } },
    };
    for (const status of errorStatuses(op)) responses[status] = errorResponse(ERROR_DESCRIPTIONS[status] ?? "Error");
    if (op.auth === "secretKey") responses["429"] = errorResponse("Too many requests for this secret key", rateLimitHeaders);
    if (op.operationId === "signIn") responses["429"] = errorResponse("Too many sign-in attempts from this client for this account or overall", { "Retry-After": retryAfter });
    if (HASHING.has(op.operationId)) responses["503"] = errorResponse("Too many passwords being hashed at once", { "Retry-After": retryAfter });
    responses.default = errorResponse("Unexpected error (5xx)");
    const parameters: JsonSchema[] = [...(op.parameters ?? [])].map((param) => ({ ...param, required: param.in === "path" || ("required" in param && param.required) }));
    if (op.idempotent === true) {
      parameters.push({ name: "Idempotency-Key", in: "header", required: false, schema: IdempotencyKey });
    }
    paths[op.path] ??= {};
    (paths[op.path] as Record<string, JsonSchema>)[op.method.toLowerCase()] = {
      operationId: op.operationId,
      summary: op.summary,
      ...(op.auth === "secretKey" ? { security: [{ secretKey: [], tenantId: [] }] } : { security: [] }),
      ...(parameters.length > 0 ? { parameters } : {}),
      ...(op.body === undefined ? {} : { requestBody: { required: true, content: { "application/json": { schema: ref(op.body) } } } }),
      responses,
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "HelloJohn Users API",
      version,
      description: "Manage users, organizations and sessions of a HelloJohn tenant.",
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [
      { url: "https://api.hellojohn.dev", description: "HelloJohn" },
      { url: "http://127.0.0.1:8787", description: "A local `hellojohn-server dev`" },
    ],
    jsonSchemaDialect: "https://json-schema.org/draft/2020-12/schema",
    paths,
    components: {
      schemas,
      securitySchemes: {
        secretKey: { type: "http", scheme: "bearer", description: "A secret API key, sk_…" },
        tenantId: { type: "apiKey", in: "header", name: "HelloJohn-Tenant-Id" },
      },
    },
  };
}
