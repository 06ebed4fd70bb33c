/**
 * What the SDK knows about the HTTP response behind a result: Stripe's
 * `lastResponse`, kept beside the result instead of on it, so that return
 * types and serialized results stay exactly as they are.
 */
export interface ResponseInfo {
  /** The HTTP status of the final attempt, e.g. `200` or `201`. */
  readonly status: number;
  /** The server's request ID (`x-request-id`): quote it when contacting support. */
  readonly requestId: string | undefined;
  /** The `Idempotency-Key` sent with a mutating call (generated, or the one you passed). */
  readonly idempotencyKey: string | undefined;
  /** True when HelloJohn replayed the stored response of an earlier request with the same key (`idempotent-replayed: true`). */
  readonly idempotentReplayed: boolean;
  /** How many attempts the call took, retries included. */
  readonly attempts: number;
  /** The response headers, lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
}

const infos = new WeakMap<object, ResponseInfo>();

/** @internal Remembers `info` for `result` (objects only; other values carry nothing). */
export function rememberResponse<T>(result: T, info: ResponseInfo): T {
  if (typeof result === "object" && result !== null) infos.set(result, info);
  return result;
}

/**
 * The response behind a value an SDK call resolved with — a user, a page, a
 * deletion result — or `undefined` for any other value. It never changes
 * the value itself: nothing is added to it, and `JSON.stringify` is unaffected.
 *
 * @example
 * ```ts
 * const user = await hj.users.create({ email: "jane@example.com" }, { idempotencyKey: "signup-42" });
 * const response = responseOf(user);
 * console.log(response?.requestId, response?.idempotentReplayed); // "req_…", false (true on a replay)
 * ```
 */
export function responseOf(result: unknown): ResponseInfo | undefined {
  return typeof result === "object" && result !== null ? infos.get(result) : undefined;
}
