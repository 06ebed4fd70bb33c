import type { HelloJohnError } from "../core/errors.js";

/** An HTTP answer for an SDK error, in HelloJohn's error format. */
export interface ErrorResponse {
  status: number;
  body: { error: { type: string; code: string; message: string; param?: string; requestId?: string } };
}

/**
 * How an app should answer when a HelloJohn call fails: the API's 4xx pass
 * through with their status, code and `param`; connection failures and 5xx
 * become a 502 (the app's upstream failed, not the app's caller).
 *
 * @example
 * ```ts
 * app.use((err, req, res, next) => {
 *   if (!isHelloJohnError(err)) return next(err);
 *   const { status, body } = errorResponse(err);
 *   res.status(status).json(body);
 * });
 * ```
 */
export function errorResponse(error: HelloJohnError): ErrorResponse {
  const clientError = error.status !== undefined && error.status >= 400 && error.status < 500;
  const body: ErrorResponse["body"]["error"] = { type: error.type, code: error.code ?? "hellojohn_error", message: error.message };
  if (error.param !== undefined) body.param = error.param;
  if (error.requestId !== undefined) body.requestId = error.requestId;
  return { status: clientError ? (error.status as number) : 502, body: { error: body } };
}
