/** The API's error families, each tied to one HTTP status. */
export const ERROR_TYPES = {
  400: "validation_error",
  401: "authentication_error",
  403: "permission_error",
  404: "not_found_error",
  405: "invalid_request_error",
  409: "conflict_error",
  413: "validation_error",
  415: "validation_error",
  422: "idempotency_error",
  429: "rate_limit_error",
  500: "api_error",
  503: "api_error",
} as const;

export type ErrorStatus = keyof typeof ERROR_TYPES;

/** An error the API reports to the caller as `{ error: { type, code, message, param } }`. */
export class ApiError extends Error {
  override readonly name = "ApiError";
  readonly status: ErrorStatus;
  readonly code: string;
  readonly param: string | undefined;
  /** Response headers that belong to this answer, e.g. `Retry-After` on a 429 or 503. */
  headers: Record<string, string> | undefined;

  constructor(status: ErrorStatus, code: string, message: string, param?: string) {
    super(message);
    this.status = status;
    this.code = code;
    this.param = param;
  }

  get type(): string {
    return ERROR_TYPES[this.status];
  }
}

export const invalid = (param: string, code: string, message: string): ApiError => new ApiError(400, code, message, param);
export const notFound = (what: "user" | "organization" | "session" | "membership" | "tenant"): ApiError => new ApiError(404, `${what}_not_found`, `No such ${what}`);
