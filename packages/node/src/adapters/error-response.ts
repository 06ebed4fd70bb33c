import { apiParamOf, isAppCredentialsError, isAppRateLimitError, type HelloJohnError, type TokenVerificationError } from "../core/errors.js";
import type { Logger } from "../core/logger.js";
import { unauthorizedBody } from "./authenticate-request.js";

/** An HTTP answer for an SDK error, in HelloJohn's error format. */
export interface ErrorResponse {
  /** The status to answer with. */
  status: number;
  /** Headers to set, e.g. `Retry-After` on a 503. */
  headers: Record<string, string>;
  /** The JSON body: `{ error: { type, code, message, param?, requestId? } }`. */
  body: { error: { type: string; code: string; message: string; param?: string; requestId?: string } };
}

/** Options of {@link errorResponse}. */
export interface ErrorResponseOptions {
  /** Where the real error goes when the answer hides it. Default: `console`; `null` when the caller logged it already. */
  logger?: Pick<Logger, "warn" | "error"> | null | undefined;
}

/** Seconds a caller is asked to wait when HelloJohn did not say. */
const DEFAULT_RETRY_AFTER_SECONDS = 5;

/** Statuses that mean "HelloJohn cannot serve the app right now": the app's callers may retry later. */
const UNAVAILABLE_STATUSES = new Set([408, 503]);

function unavailable(error: HelloJohnError): ErrorResponse {
  const seconds = Math.max(1, Math.ceil(error.retryAfter ?? DEFAULT_RETRY_AFTER_SECONDS));
  const body: ErrorResponse["body"]["error"] = {
    type: "api_error",
    code: "service_unavailable",
    message: "Authentication is temporarily unavailable; try again later",
  };
  if (error.requestId !== undefined) body.requestId = error.requestId;
  return { status: 503, headers: { "retry-after": String(seconds) }, body: { error: body } };
}

function hidden(status: 500 | 502, error: HelloJohnError): ErrorResponse {
  const body: ErrorResponse["body"]["error"] = { type: "api_error", code: "internal_error", message: "Internal server error" };
  if (error.requestId !== undefined) body.requestId = error.requestId;
  return { status, headers: {}, body: { error: body } };
}

/**
 * How an app should answer its own caller when a HelloJohn call fails.
 *
 * - The API's answers about the request or the end user pass through: a 404
 *   `user_not_found` stays a 404, with the same `type`, `code`, `message`,
 *   `param` (spelled as the API spells it, e.g. `first_name`) and `requestId`;
 *   a refused token is a 401.
 * - HelloJohn refusing the app's own tenant ID or secret key (a 401/403 on an
 *   admin call), bad client options, and HelloJohn failing (5xx) are the app's
 *   problems, not the caller's: a 500 (502 for a HelloJohn failure) with a
 *   generic message, the real error logged.
 * - HelloJohn unreachable, timing out, or rate limiting the app's key (a 429
 *   on an admin call): a 503 with `Retry-After`, the real error logged. A 429
 *   throttling one end user's sign-ins passes through with its `Retry-After`.
 *
 * @example
 * ```ts
 * import type { ErrorRequestHandler } from "express";
 * import { errorResponse, isHelloJohnError } from "@hellojohn/express";
 *
 * const onError: ErrorRequestHandler = (err, req, res, next) => {
 *   if (!isHelloJohnError(err)) return next(err);
 *   const { status, headers, body } = errorResponse(err);
 *   res.status(status).set(headers).json(body);
 * };
 * ```
 */
export function errorResponse(error: HelloJohnError, options: ErrorResponseOptions = {}): ErrorResponse {
  const logger = options.logger === null ? { warn() {}, error() {} } : (options.logger ?? console);
  const detail = { name: error.name, status: error.status, code: error.code, requestId: error.requestId };
  if (error.type === "token_verification_error") {
    return { status: 401, headers: {}, body: unauthorizedBody(error as TokenVerificationError) };
  }
  const status = error.status;
  const down = error.type === "connection_error" || error.type === "timeout_error" || (status !== undefined && UNAVAILABLE_STATUSES.has(status));
  if (down || isAppRateLimitError(error)) {
    logger.warn(`[hellojohn] HelloJohn is unavailable, answering 503: ${error.message}`, detail);
    return unavailable(error);
  }
  if (isAppCredentialsError(error) || error.type === "configuration_error") {
    logger.error(`[hellojohn] HelloJohn refused this app's configuration or credentials, answering 500: ${error.message}`, detail);
    return hidden(500, error);
  }
  if (status === undefined || status < 400 || status >= 500) {
    logger.error(`[hellojohn] HelloJohn call failed, answering 502: ${error.message}`, detail);
    return hidden(502, error);
  }
  const body: ErrorResponse["body"]["error"] = { type: error.type, code: error.code ?? "hellojohn_error", message: error.message };
  const param = apiParamOf(error);
  if (param !== undefined) body.param = param;
  if (error.requestId !== undefined) body.requestId = error.requestId;
  // An end user's own throttle (e.g. too many sign-ins) is theirs to wait out.
  const headers: Record<string, string> = status === 429 && error.retryAfter !== undefined ? { "retry-after": String(Math.ceil(error.retryAfter)) } : {};
  return { status, headers, body: { error: body } };
}
