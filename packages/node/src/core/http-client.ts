import { MAX_RETRY_AFTER_MS, backoffDelay, parseRetryAfter } from "./backoff.js";
import type { ResolvedOptions } from "./client-options.js";
import { AbortError, ConnectionError, errorFromResponse, TimeoutError, type APIError, type ApiErrorBody } from "./errors.js";
import { LevelLogger } from "./logger.js";
import type { RequestOptions } from "./request-options.js";
import { rememberResponse, type ResponseInfo } from "./response-info.js";

declare const __SDK_VERSION__: string;
/** This package's version. */
export const VERSION: string = __SDK_VERSION__;

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";
export type QueryValue = string | number | boolean | undefined;

/** One API call, before headers and retries. */
export interface ApiRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
}

const USER_AGENT = `hellojohn-node/${VERSION} node/${typeof process === "undefined" ? "unknown" : process.version} (${
  typeof process === "undefined" ? "unknown" : `${process.platform}; ${process.arch}`
})`;

/** Statuses worth another attempt: the request may succeed unchanged. */
function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

const sleep = (ms: number, signal: AbortSignal | undefined): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new AbortError(signal.reason));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new AbortError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * The innermost useful reason of a failed fetch: undici says "fetch failed"
 * and keeps `connect ECONNREFUSED 127.0.0.1:59999` one or two `cause`s down.
 */
function causeOf(error: unknown): string {
  const reasons: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    const nested = current instanceof AggregateError ? current.errors[0] : undefined;
    let reason = current.message;
    if (typeof code === "string" && code !== "" && !reason.includes(code)) reason = `${code}: ${reason}`;
    if (reason !== "" && reason !== "fetch failed") reasons.push(reason);
    current = current.cause ?? nested;
  }
  return reasons.length === 0 ? "fetch failed" : (reasons[reasons.length - 1] as string);
}

function responseInfo(outcome: { status: number; headers: Headers }, idempotencyKey: string | undefined, attempts: number): ResponseInfo {
  let headers: Record<string, string> | undefined;
  return {
    status: outcome.status,
    requestId: outcome.headers.get("x-request-id") ?? undefined,
    idempotencyKey,
    idempotentReplayed: outcome.headers.get("idempotent-replayed") === "true",
    attempts,
    // Copied only when read: most callers never look, and this runs on every call.
    get headers(): Record<string, string> {
      if (headers === undefined) {
        const copy: Record<string, string> = {};
        outcome.headers.forEach((value, name) => {
          copy[name] = value;
        });
        headers = copy;
      }
      return headers;
    },
  };
}

type AttemptOutcome = { kind: "ok"; value: unknown; status: number; headers: Headers } | { kind: "error"; error: APIError; retryAfterMs: number | undefined };

/**
 * The one place that talks HTTP: authentication headers, per-attempt timeouts,
 * retries with backoff, idempotency keys and error mapping.
 */
export class HttpClient {
  readonly #options: ResolvedOptions;
  readonly #log: LevelLogger;
  readonly #baseHeaders: Record<string, string>;

  constructor(options: ResolvedOptions) {
    this.#options = options;
    this.#log = new LevelLogger(options.logger, options.logLevel);
    this.#baseHeaders = {
      accept: "application/json",
      authorization: `Bearer ${options.secretKey}`,
      "hellojohn-tenant-id": options.tenantId,
      "user-agent": USER_AGENT,
    };
  }

  get logger(): LevelLogger {
    return this.#log;
  }

  /**
   * Sends `request`, retrying what is safe to retry, and resolves with the
   * parsed JSON body, or with `map(body)` when given. The response's metadata
   * is remembered for the resolved value (see `responseOf`).
   */
  async request<W, T = W>(request: ApiRequest, options: RequestOptions = {}, map?: (wire: W) => T): Promise<T> {
    const maxRetries = options.maxRetries ?? this.#options.maxRetries;
    const timeout = options.timeout ?? this.#options.timeout;
    const url = this.#url(request);
    // End-user endpoints (sign-in, refresh, keys, …) carry the tenant in the path; every other operation is the app's, made with its key.
    const secretKeyOperation = !request.path.startsWith("/v1/tenants/");
    const headers: Record<string, string> = { ...options.headers, ...this.#baseHeaders };
    let body: string | undefined;
    if (request.body !== undefined) {
      body = JSON.stringify(request.body);
      headers["content-type"] = "application/json";
    }
    if (request.method !== "GET") {
      // One key for every attempt: the server replays the first response instead of acting twice.
      headers["idempotency-key"] = options.idempotencyKey ?? crypto.randomUUID();
    }
    for (let attempt = 0; ; attempt++) {
      if (attempt > 0) headers["hellojohn-retry-count"] = String(attempt);
      let outcome: AttemptOutcome;
      try {
        outcome = await this.#attempt(url, request.method, headers, body, timeout, options.signal, secretKeyOperation);
      } catch (error) {
        if (error instanceof AbortError || attempt >= maxRetries) throw error;
        const delay = backoffDelay(attempt);
        this.#log.log("info", `${request.method} ${request.path} failed (${(error as Error).message}); retrying in ${delay} ms`, {
          attempt: attempt + 1,
        });
        await sleep(delay, options.signal);
        continue;
      }
      if (outcome.kind === "ok") {
        const value = map === undefined ? (outcome.value as T) : map(outcome.value as W);
        return rememberResponse(value, responseInfo(outcome, headers["idempotency-key"], attempt + 1));
      }
      const { error, retryAfterMs } = outcome;
      const retryable = isRetryableStatus(error.status) && (retryAfterMs === undefined || retryAfterMs <= MAX_RETRY_AFTER_MS);
      if (!retryable || attempt >= maxRetries) throw error;
      const delay = retryAfterMs ?? backoffDelay(attempt);
      this.#log.log("info", `${request.method} ${request.path} answered ${error.status}; retrying in ${delay} ms`, {
        attempt: attempt + 1,
        requestId: error.requestId,
      });
      await sleep(delay, options.signal);
    }
  }

  #url(request: ApiRequest): string {
    let url = this.#options.baseUrl + request.path;
    if (request.query !== undefined) {
      const params = new URLSearchParams();
      for (const [key, value] of Object.entries(request.query)) {
        if (value !== undefined) params.append(key, String(value));
      }
      const query = params.toString();
      if (query !== "") url += `?${query}`;
    }
    return url;
  }

  /** The URL without its query (which may hold an email address). */
  #where(url: string): string {
    const query = url.indexOf("?");
    return query === -1 ? url : url.slice(0, query);
  }

  /** Says where the origin came from when nobody chose it: the usual cause of a refused connection. */
  #baseUrlHint(): string {
    if (this.#options.baseUrlSource === "option") return "";
    if (this.#options.baseUrlSource === "HELLOJOHN_API_URL") return ` (the API URL ${this.#options.baseUrl} comes from HELLOJOHN_API_URL)`;
    return ` (HELLOJOHN_API_URL is not set, so the default ${this.#options.baseUrl} was used; set HELLOJOHN_API_URL or pass { baseUrl } to change it)`;
  }

  async #attempt(
    url: string,
    method: HttpMethod,
    headers: Record<string, string>,
    body: string | undefined,
    timeout: number,
    signal: AbortSignal | undefined,
    secretKeyOperation: boolean,
  ): Promise<AttemptOutcome> {
    if (signal?.aborted) throw new AbortError(signal.reason);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeout);
    const onAbort = (): void => controller.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    const started = this.#log.enabled("debug") ? performance.now() : 0;
    try {
      // The timer stays armed until the body is read: a stalled body is a timeout too.
      const response = await this.#options.fetch(url, { method, headers, ...(body === undefined ? {} : { body }), signal: controller.signal });
      const text = await response.text();
      const requestId = response.headers.get("x-request-id") ?? undefined;
      if (started !== 0) {
        this.#log.log("debug", `${method} ${new URL(url).pathname} -> ${response.status}`, {
          requestId,
          ms: Math.round((performance.now() - started) * 100) / 100,
        });
      }
      if (response.ok) return { kind: "ok", value: text === "" ? undefined : JSON.parse(text), status: response.status, headers: response.headers };
      let errorBody: Partial<ApiErrorBody> | undefined;
      try {
        errorBody = (JSON.parse(text) as { error?: Partial<ApiErrorBody> }).error;
      } catch {
        errorBody = undefined;
      }
      const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
      const retryAfter = retryAfterMs === undefined ? undefined : retryAfterMs / 1000;
      return { kind: "error", error: errorFromResponse(response.status, errorBody, requestId, retryAfter, secretKeyOperation), retryAfterMs };
    } catch (error) {
      if (signal?.aborted) throw new AbortError(signal.reason);
      if (timedOut) throw new TimeoutError(timeout);
      if (error instanceof SyntaxError) throw new ConnectionError(`HelloJohn at ${this.#where(url)} answered with a body that is not valid JSON`, error);
      throw new ConnectionError(`Connection to HelloJohn at ${this.#where(url)} failed: ${causeOf(error)}${this.#baseUrlHint()}`, error);
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
