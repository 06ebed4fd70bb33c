import { operations } from "./operations.js";
import { ref, schemas, type JsonSchema } from "./schemas.js";

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
      "400": errorResponse("Invalid request; `param` names the field"),
      default: errorResponse("Error"),
    };
    if (op.auth === "secretKey") {
      responses["401"] = errorResponse("Tenant ID or secret key not accepted");
      responses["429"] = errorResponse("Too many requests for this secret key", rateLimitHeaders);
    }
    if (op.operationId === "signIn") responses["429"] = errorResponse("Too many sign-in attempts from this client for this account or overall", { "Retry-After": retryAfter });
    if (HASHING.has(op.operationId)) responses["503"] = errorResponse("Too many passwords being hashed at once", { "Retry-After": retryAfter });
    const parameters: JsonSchema[] = [...(op.parameters ?? [])].map((param) => ({ ...param, required: param.in === "path" || ("required" in param && param.required) }));
    if (op.idempotent === true) {
      parameters.push({ name: "Idempotency-Key", in: "header", required: false, schema: { type: "string", maxLength: 255 } });
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
    info: { title: "HelloJohn Users API", version, description: "Manage users, organizations and sessions of a HelloJohn tenant." },
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
