import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { ERROR_CODE_KEYWORD } from "../contract/schemas.js";
import { ApiError, ERROR_TYPES, type ErrorStatus } from "../domain/api-error.js";

interface AjvIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: { missingProperty?: string; additionalProperty?: string };
  /** The schema holding the failed keyword (Ajv's `verbose`). */
  parentSchema?: Record<string, unknown>;
}

/** Keywords whose failure answers the field's own code when its schema names one. */
const LIMIT_KEYWORDS = new Set(["minLength", "maxLength", "minimum", "maximum", "pattern"]);

const CODE_BY_KEYWORD: Record<string, string> = {
  required: "missing_param",
  additionalProperties: "unknown_param",
  type: "invalid_type",
  enum: "invalid_value",
  const: "invalid_value",
  minimum: "out_of_range",
  maximum: "out_of_range",
  minLength: "invalid_length",
  maxLength: "invalid_length",
  pattern: "invalid_format",
  format: "invalid_format",
};

/** Turns the first Ajv issue into an ApiError naming the field in dotted form. */
function fromValidation(issue: AjvIssue, context: string | undefined): ApiError {
  const segments = issue.instancePath.split("/").filter((s) => s !== "");
  if (issue.params.missingProperty !== undefined) segments.push(issue.params.missingProperty);
  if (issue.params.additionalProperty !== undefined) segments.push(issue.params.additionalProperty);
  const param = segments.length > 0 ? segments.join(".") : (context ?? "body");
  const fieldCode = LIMIT_KEYWORDS.has(issue.keyword) ? issue.parentSchema?.[ERROR_CODE_KEYWORD] : undefined;
  const code = typeof fieldCode === "string" ? fieldCode : (CODE_BY_KEYWORD[issue.keyword] ?? "invalid_param");
  const message =
    issue.keyword === "additionalProperties"
      ? `"${param}" is not a known field`
      : issue.keyword === "required"
        ? `"${param}" is required`
        : `"${param}" ${issue.message ?? "is invalid"}`;
  return new ApiError(400, code, message, param);
}

/** Maps anything thrown during a request to the API's error body. Nothing a client sends produces a 5xx. */
export function toApiError(error: FastifyError | ApiError | Error): ApiError {
  if (error instanceof ApiError) return error;
  const fastifyError = error as FastifyError & { validation?: AjvIssue[] };
  if (Array.isArray(fastifyError.validation) && fastifyError.validation[0] !== undefined) {
    return fromValidation(fastifyError.validation[0], fastifyError.validationContext);
  }
  switch (fastifyError.code) {
    case "FST_ERR_CTP_BODY_TOO_LARGE":
      return new ApiError(413, "body_too_large", "Request body is too large", "body");
    case "FST_ERR_CTP_INVALID_MEDIA_TYPE":
      return new ApiError(415, "unsupported_media_type", "Send request bodies as application/json", "content-type");
    case "FST_ERR_CTP_EMPTY_JSON_BODY":
    case "FST_ERR_CTP_INVALID_JSON_BODY":
      // Fastify's parser also lands here for prototype-poisoning keys, which it refuses.
      return new ApiError(400, "invalid_json", 'Request body is not valid JSON, or uses a forbidden key ("__proto__", "constructor")', "body");
    case "FST_ERR_BAD_URL":
      return new ApiError(400, "invalid_url", "The request URL is not validly encoded");
    default:
      break;
  }
  if (error instanceof SyntaxError || fastifyError.statusCode === 400) {
    return new ApiError(400, "invalid_request", error.message, fastifyError.statusCode === 400 ? undefined : "body");
  }
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) {
    const known = (status in ERROR_TYPES ? status : 400) as ErrorStatus;
    return new ApiError(known, "invalid_request", error.message);
  }
  return new ApiError(500, "internal_error", "An internal error occurred; quote the requestId when reporting it");
}

export function sendError(error: ApiError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // Also here, not only in onRequest: router errors (a malformed URL) never reach the hooks.
  reply.header("x-request-id", request.id);
  if (error.headers !== undefined) reply.headers(error.headers);
  const body: Record<string, string> = { type: error.type, code: error.code, message: error.message };
  if (error.param !== undefined) body.param = error.param;
  body.requestId = String(request.id);
  return reply
    .code(error.status)
    .type("application/json")
    .send(JSON.stringify({ error: body }));
}

export function errorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const apiError = toApiError(error);
  if (apiError.status >= 500) request.log.error({ err: error }, "request failed");
  return sendError(apiError, request, reply);
}
