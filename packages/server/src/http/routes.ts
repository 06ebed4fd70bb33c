import type { FastifyInstance, FastifyRequest } from "fastify";
import { operations, type Operation } from "../contract/operations.js";
import type { JsonSchema } from "../contract/schemas.js";
import { checkId } from "../domain/validation.js";
import type { RequestContext } from "../services/context.js";
import type { Executor } from "../store/schema.js";
import type { IdempotencyClaim } from "./idempotency.js";
import { StreamedDocument } from "../domain/streamed.js";
import { jsonStream } from "./json-stream.js";

/** What a handler gets: the validated request parts and the caller's context. */
export interface HandlerInput {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
  ctx: RequestContext;
}

export type Handler = (input: HandlerInput) => Promise<unknown>;

/** Points `#/components/schemas/X` references at Fastify's shared schema `X#`. */
export function toFastifyRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(toFastifyRefs);
  if (typeof schema !== "object" || schema === null) return schema;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === "$ref" && typeof value === "string" ? `${value.replace("#/components/schemas/", "")}#` : toFastifyRefs(value);
  }
  return out;
}

function parameterSchema(op: Operation, location: "path" | "query"): JsonSchema | undefined {
  const params = (op.parameters ?? []).filter((p) => p.in === location);
  if (params.length === 0) return undefined;
  return {
    type: "object",
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => location === "path" || ("required" in p && p.required)).map((p) => p.name),
    additionalProperties: false,
  };
}

interface RouteDeps {
  authenticate: (request: FastifyRequest) => Promise<RequestContext>;
  publicContext: (request: FastifyRequest) => RequestContext;
  /** Stores an idempotent request's response inside the mutation's transaction. */
  recordOutcome: (trx: Executor, claim: IdempotencyClaim, statusCode: number, body: string, result: unknown) => Promise<void>;
}

/** Registers every operation of the contract with its handler; an operation without one is a startup error. */
export function registerRoutes(app: FastifyInstance, handlers: Record<string, Handler>, deps: RouteDeps): void {
  for (const op of operations) {
    const handler = handlers[op.operationId];
    if (handler === undefined) throw new Error(`No handler for operation ${op.operationId}`);
    const schema: Record<string, unknown> = {
      response: { [op.success.status]: toFastifyRefs({ $ref: `#/components/schemas/${op.success.schema}` }) },
    };
    const params = parameterSchema(op, "path");
    const query = parameterSchema(op, "query");
    if (params !== undefined) schema.params = params;
    if (query !== undefined) schema.querystring = query;
    if (op.body !== undefined) schema.body = toFastifyRefs({ $ref: `#/components/schemas/${op.body}` });
    app.route({
      method: op.method,
      url: op.path.replace(/\{(\w+)\}/g, ":$1"),
      schema,
      config: { idempotent: op.idempotent === true, secretKey: op.auth === "secretKey" },
      ...(op.bodyLimit === undefined ? {} : { bodyLimit: op.bodyLimit }),
      handler: async (request, reply) => {
        const caller = op.auth === "secretKey" ? request.hjContext ?? (await deps.authenticate(request)) : deps.publicContext(request);
        const claim = request.hjIdempotency;
        // The stored outcome is serialized exactly as the response will be: by this route's schema, for its status.
        const ctx: RequestContext =
          claim === null
            ? caller
            : { ...caller, outcome: { record: (trx, result) => deps.recordOutcome(trx, claim, op.success.status, String(reply.code(op.success.status).serialize(result)), result) } };
        const result = await handler({
          params: request.params as Record<string, string>,
          query: (request.query ?? {}) as Record<string, unknown>,
          body: (request.body ?? {}) as Record<string, unknown>,
          ctx,
        });
        if (result instanceof StreamedDocument) return reply.code(op.success.status).type("application/json").send(jsonStream(result.document));
        return reply.code(op.success.status).send(result);
      },
    });
  }
}

/** The context of an end-user endpoint, whose tenant is in the path. */
export function tenantFromPath(request: FastifyRequest): string {
  return checkId((request.params as { tenant_id: string }).tenant_id, "ten", "tenant_id");
}
