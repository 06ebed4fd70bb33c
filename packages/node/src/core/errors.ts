/**
 * Every error the SDK raises. One class per failure kind, each with a stable
 * `name` string (survives minification) and a `type` that mirrors the API's
 * error `type` where the server sent one.
 */

const BRAND = Symbol.for("hellojohn.error");
// Registered symbols, so that a second copy of the package (ESM and CJS) reads them too.
const API_PARAM = Symbol.for("hellojohn.error.apiParam");
const SECRET_KEY_OPERATION = Symbol.for("hellojohn.error.secretKeyOperation");

/** Fields an API error body carries (`{ "error": { … } }`). */
export interface ApiErrorBody {
  type: string;
  code: string;
  message: string;
  param?: string | undefined;
  requestId?: string | undefined;
}

/** Options every {@link HelloJohnError} may carry. */
export interface HelloJohnErrorFields {
  type?: string | undefined;
  code?: string | undefined;
  status?: number | undefined;
  param?: string | undefined;
  requestId?: string | undefined;
  retryAfter?: number | undefined;
  cause?: unknown | undefined;
}

/**
 * Base class of every error this SDK throws.
 *
 * @example
 * ```ts
 * try {
 *   await hj.users.get("usr_01J0000000000000000000000");
 * } catch (err) {
 *   if (isHelloJohnError(err) && err.status === 404) console.log("no such user");
 * }
 * ```
 */
export class HelloJohnError extends Error {
  override readonly name: string = "HelloJohnError";
  /** A stable error family, e.g. `validation_error` or `connection_error`. */
  readonly type: string;
  /** A machine-readable reason, e.g. `email_taken` or `invalid_id`. */
  readonly code: string | undefined;
  /** The HTTP status, when the error came from a response. */
  readonly status: number | undefined;
  /** The request field that was wrong, when the API named one. */
  readonly param: string | undefined;
  /** The server's request ID: quote it when contacting support. */
  readonly requestId: string | undefined;
  /** Seconds the server asked us to wait before retrying. */
  readonly retryAfter: number | undefined;

  constructor(message: string, fields: HelloJohnErrorFields = {}) {
    super(message, fields.cause === undefined ? undefined : { cause: fields.cause });
    this.type = fields.type ?? "hellojohn_error";
    this.code = fields.code;
    this.status = fields.status;
    this.param = fields.param;
    this.requestId = fields.requestId;
    this.retryAfter = fields.retryAfter;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/** The options you gave the client are missing or malformed. */
export class ConfigurationError extends HelloJohnError {
  override readonly name = "ConfigurationError";
  constructor(message: string, param: string) {
    super(message, { type: "configuration_error", code: "invalid_option", param });
  }
}

/** The API answered with a non-2xx status. Subclasses name the status family. */
export class APIError extends HelloJohnError {
  override readonly name: string = "APIError";
  declare readonly status: number;
}

/** 400 or 422: the request was malformed; `param` names the offending field. */
export class ValidationError extends APIError {
  override readonly name = "ValidationError";
}
/** 401: the tenant ID or secret key was not accepted. */
export class AuthenticationError extends APIError {
  override readonly name = "AuthenticationError";
}
/** 403: the key may not do this, or the user may not (e.g. `user_disabled`). */
export class PermissionError extends APIError {
  override readonly name = "PermissionError";
}
/** 404: no such object in this tenant. */
export class NotFoundError extends APIError {
  override readonly name = "NotFoundError";
}
/** 409: the request conflicts with the current state (e.g. `email_taken`). Never retried. */
export class ConflictError extends APIError {
  override readonly name = "ConflictError";
}
/** 429: too many requests; `retryAfter` says how long to wait. */
export class RateLimitError extends APIError {
  override readonly name = "RateLimitError";
}
/** 5xx, or any status the SDK has no better class for. */
export class ServerError extends APIError {
  override readonly name = "ServerError";
}

/** The request never got a complete response (DNS, refused, reset). */
export class ConnectionError extends HelloJohnError {
  override readonly name: string = "ConnectionError";
  constructor(message: string, cause?: unknown) {
    super(message, { type: "connection_error", code: "connection_failed", cause });
  }
}

/** An attempt took longer than the configured `timeout`. */
export class TimeoutError extends ConnectionError {
  override readonly name = "TimeoutError";
  constructor(timeoutMs: number) {
    super(`Request timed out after ${timeoutMs} ms`);
    Object.defineProperty(this, "type", { value: "timeout_error" });
    Object.defineProperty(this, "code", { value: "timeout" });
  }
}

/** The caller aborted the request through its `signal`. Never retried. */
export class AbortError extends HelloJohnError {
  override readonly name = "AbortError";
  constructor(cause?: unknown) {
    super("Request was aborted by the caller", { type: "abort_error", code: "aborted", cause });
  }
}

/** Why a token failed {@link HelloJohn.verifyToken}. */
export type TokenVerificationErrorCode =
  | "malformed"
  | "unsupported_algorithm"
  | "unknown_key"
  | "invalid_signature"
  | "expired"
  | "not_yet_valid"
  | "invalid_issuer"
  | "invalid_audience"
  | "invalid_authorized_party"
  | "wrong_tenant"
  | "revoked";

/** A token was rejected; `code` says why. */
export class TokenVerificationError extends HelloJohnError {
  override readonly name = "TokenVerificationError";
  declare readonly code: TokenVerificationErrorCode;
  constructor(code: TokenVerificationErrorCode, message: string, cause?: unknown) {
    super(message, { type: "token_verification_error", code, cause });
  }
}

/** Why a webhook failed {@link WebhookVerifier.verify}. */
export type WebhookVerificationErrorCode = "missing_header" | "invalid_timestamp" | "stale_timestamp" | "invalid_signature" | "replayed" | "invalid_secret" | "invalid_payload";

/** A webhook was refused: answer it with a 400 and do not act on it; `code` says why. */
export class WebhookVerificationError extends HelloJohnError {
  override readonly name = "WebhookVerificationError";
  declare readonly code: WebhookVerificationErrorCode;
  constructor(code: WebhookVerificationErrorCode, message: string, cause?: unknown) {
    super(message, { type: "webhook_verification_error", code, cause });
  }
}

/**
 * True for any error raised by this SDK, even one thrown by a second copy of
 * the package (dual ESM/CJS installs), where `instanceof` would fail.
 */
export function isHelloJohnError(value: unknown): value is HelloJohnError {
  return value instanceof HelloJohnError || (typeof value === "object" && value !== null && BRAND in value);
}

/** `first_name` → `firstName`, `metadata.some_key` → `metadata.some_key`: SDK callers name fields in camelCase. */
function camelCaseParam(param: string): string {
  const dot = param.indexOf(".");
  const head = dot === -1 ? param : param.slice(0, dot);
  const camel = head.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return dot === -1 ? camel : camel + param.slice(dot);
}

/**
 * The field an API error named, spelled as the API spelled it (`first_name`),
 * where `error.param` is spelled for SDK callers (`firstName`).
 */
export function apiParamOf(error: HelloJohnError): string | undefined {
  const raw = (error as unknown as Record<symbol, unknown>)[API_PARAM];
  return typeof raw === "string" ? raw : error.param;
}

/**
 * True when the error answered a call the app made with its own secret key
 * (an admin operation), false for the end-user endpoints (sign-in, refresh,
 * sign-out, keys) and for errors that are not API answers.
 */
function answeredTheAppsKey(error: HelloJohnError): boolean {
  return (error as unknown as Record<symbol, unknown>)[SECRET_KEY_OPERATION] === true;
}

/**
 * True when HelloJohn refused the app's own credentials (tenant ID and secret
 * key): a 401, or a 403 that names no field, answering an admin operation —
 * not a field, and not an end user's sign-in. Such an error is the app's
 * fault, and must not reach the app's end users as theirs.
 */
export function isAppCredentialsError(error: HelloJohnError): boolean {
  return answeredTheAppsKey(error) && (error.status === 401 || (error.status === 403 && error.param === undefined));
}

/** True when HelloJohn rate limited the app's own key (a 429 answering an admin operation), rather than one end user's sign-ins. */
export function isAppRateLimitError(error: HelloJohnError): boolean {
  return answeredTheAppsKey(error) && error.status === 429;
}

/** Builds the typed error for a non-2xx response to a request made with the secret key (`secretKeyOperation`) or to a public end-user endpoint. */
export function errorFromResponse(
  status: number,
  body: Partial<ApiErrorBody> | undefined,
  requestId: string | undefined,
  retryAfter: number | undefined,
  secretKeyOperation = true,
): APIError {
  const error = typedError(status, body, requestId, retryAfter);
  if (body?.param !== undefined) Object.defineProperty(error, API_PARAM, { value: body.param });
  Object.defineProperty(error, SECRET_KEY_OPERATION, { value: secretKeyOperation });
  return error;
}

function typedError(status: number, body: Partial<ApiErrorBody> | undefined, requestId: string | undefined, retryAfter: number | undefined): APIError {
  const message = body?.message ?? `HelloJohn API responded with status ${status}`;
  const fields: HelloJohnErrorFields = {
    status,
    type: body?.type ?? "api_error",
    code: body?.code,
    param: body?.param === undefined ? undefined : camelCaseParam(body.param),
    requestId: body?.requestId ?? requestId,
    retryAfter,
  };
  if (status === 400 || status === 422) return new ValidationError(message, fields);
  if (status === 401) return new AuthenticationError(message, fields);
  if (status === 403) return new PermissionError(message, fields);
  if (status === 404) return new NotFoundError(message, fields);
  if (status === 409) return new ConflictError(message, fields);
  if (status === 429) return new RateLimitError(message, fields);
  return new ServerError(message, fields);
}
