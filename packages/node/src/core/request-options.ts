/** Per-call options; every SDK method takes them as its optional last argument. */
export interface RequestOptions {
  /** Aborts the call (all attempts). An aborted call is never retried. */
  signal?: AbortSignal | undefined;
  /** Milliseconds one attempt may take; overrides the client's `timeout`. */
  timeout?: number | undefined;
  /** Retries after the first attempt; overrides the client's `maxRetries`. */
  maxRetries?: number | undefined;
  /** Idempotency key for a mutating call; one is generated when omitted. */
  idempotencyKey?: string | undefined;
  /** Extra headers. Authentication headers cannot be overridden. */
  headers?: Record<string, string> | undefined;
}
