import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Static } from "@sinclair/typebox";
import { type contract, operations, type Operation, type OperationId } from "../contract/operations.js";
import type { JsonSchema, Parameter, SchemaName, Wire } from "../contract/schemas.js";
import { checkId } from "../domain/validation.js";
import type { MutationContext, RequestContext } from "../services/context.js";
import type { Executor } from "../store/schema.js";
import type { IdempotencyClaim } from "./idempotency.js";
import { StreamedDocument } from "../domain/streamed.js";
import { jsonStream } from "./json-stream.js";

type AnyOperation = (typeof contract)[number];
type OperationOf<I extends OperationId> = Extract<AnyOperation, { operationId: I }>;
type ParametersOf<O> = O extends { parameters: readonly (infer P extends Parameter)[] } ? P : never;

/** The validated path or query parameters of an operation, typed from their schemas. */
type PartOf<O, L extends "path" | "query"> = {
  [P in Extract<ParametersOf<O>, { in: L; required: true } | { in: "path" }> as P["name"]]: Static<P["schema"]>;
} & {
  [P in Exclude<Extract<ParametersOf<O>, { in: L }>, { required: true } | { in: "path" }> as P["name"]]?: Static<P["schema"]>;
};

/** The validated request body of an operation, typed from its schema (`undefined` when it takes none). */
type BodyOf<O> = O extends { body: infer B extends SchemaName } ? Wire<B> : undefined;

/** What a handler answers: its success schema's wire type, or a document to stream in that shape. */
export type HandlerResult<I extends OperationId> = Wire<OperationOf<I>["success"]["schema"]> | StreamedDocument;

/**
 * Runs an operation's service call and maps its domain result to the wire.
 * `run` gets the caller's context; with an `Idempotency-Key`, that context
 * records `toWire(result)` inside the mutation's transaction, and the response
 * is that same recorded value.
 */
export type Respond<I extends OperationId> = <D>(run: (ctx: MutationContext<D>) => Promise<D>, toWire: (result: D) => HandlerResult<I>) => Promise<HandlerResult<I>>;

/**
 * What a handler gets: the validated request parts, typed from the contract,
 * and `respond`, the only way to the caller's context, so that every service
 * call's result goes through a mapper the idempotency record uses too.
 */
export interface HandlerInput<I extends OperationId> {
  params: PartOf<OperationOf<I>, "path">;
  query: PartOf<OperationOf<I>, "query">;
  body: BodyOf<OperationOf<I>>;
  respond: Respond<I>;
}

/** One handler per operation of the contract: a wrong input or result type is a compile error. */
export type Handlers = { [I in OperationId]: (input: HandlerInput<I>) => Promise<HandlerResult<I>> };

type AnyHandler = (input: { params: unknown; query: unknown; body: unknown; respond: Respond<OperationId> }) => Promise<unknown>;

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
export function registerRoutes(app: FastifyInstance, handlers: Handlers, deps: RouteDeps): void {
  for (const op of operations) {
    // Fastify validated each part against the schema its handler's input type comes from.
    const handler = (handlers as Record<string, AnyHandler | undefined>)[op.operationId];
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
        const caller = op.auth === "secretKey" ? (request.hjContext ?? (await deps.authenticate(request))) : deps.publicContext(request);
        const claim = request.hjIdempotency;
        const respond: Respond<OperationId> = async <D>(run: (ctx: MutationContext<D>) => Promise<D>, toWire: (result: D) => HandlerResult<OperationId>) => {
          if (claim === null) return toWire(await run(caller));
          // Mapped once, in the mutation's transaction: the stored outcome is the response, serialized
          // exactly as it will be sent (by this route's schema, for its status). A handler whose service
          // records nothing (a read, or a change outside `mutation`) is mapped here and stored after the response.
          let recorded: { wire: HandlerResult<OperationId> } | undefined;
          const record = async (trx: Executor, result: D) => {
            const wire = toWire(result);
            await deps.recordOutcome(trx, claim, op.success.status, String(reply.code(op.success.status).serialize(wire)), wire);
            recorded = { wire };
          };
          const result = await run({ ...caller, outcome: { record } });
          return recorded === undefined ? toWire(result) : recorded.wire;
        };
        const result = await handler({ params: request.params ?? {}, query: request.query ?? {}, body: request.body, respond });
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
