import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { ApiError } from "../domain/api-error.js";
import type { LimiterStore } from "./limiter-store.js";
import type { RateRule } from "./limits-options.js";

const POLICY = "admin";

/**
 * Admin API calls per secret key, answered with the IETF `RateLimit-Policy`
 * and `RateLimit` fields (draft-ietf-httpapi-ratelimit-headers) on every
 * call, and `429` with `Retry-After` past the budget. While Redis is
 * unreachable it lets calls through: an outage of the limiter must not become
 * an outage of the API.
 */
export class AdminApiRateLimit {
  readonly #limiter: RateLimiterAbstract;
  readonly #policy: string;

  constructor(
    store: LimiterStore,
    private readonly rule: RateRule,
  ) {
    this.#limiter = store.limiter({ name: "admin-api:", points: rule.requests, durationSeconds: rule.windowSeconds, whenRedisIsDown: "fail-open" });
    this.#policy = `"${POLICY}";q=${rule.requests};w=${rule.windowSeconds}`;
  }

  #headers(res: RateLimiterRes): Record<string, string> {
    const reset = Math.max(0, Math.ceil(res.msBeforeNext / 1000));
    return { "ratelimit-policy": this.#policy, ratelimit: `"${POLICY}";r=${Math.max(0, res.remainingPoints)};t=${reset}` };
  }

  /**
   * Counts one call of the key; resolves with the headers to send, or throws
   * a 429 `rate_limited` carrying them and `Retry-After`.
   */
  async take(keyId: string): Promise<Record<string, string>> {
    try {
      return this.#headers(await this.#limiter.consume(keyId));
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) return {};
      const error = new ApiError(
        429,
        "rate_limited",
        `Too many requests for this secret key (${this.rule.requests} per ${this.rule.windowSeconds} s); retry after the Retry-After delay`,
      );
      error.headers = { ...this.#headers(rejection), "retry-after": String(Math.max(1, Math.ceil(rejection.msBeforeNext / 1000))) };
      throw error;
    }
  }
}
