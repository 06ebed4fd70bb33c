import { createHash } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { RateLimiterRes, type RateLimiterAbstract } from "rate-limiter-flexible";
import { ApiError } from "../domain/api-error.js";
import { clientIpKey } from "./client-ip.js";
import type { LimiterStore } from "./limiter-store.js";
import type { ThrottleRule } from "./limits-options.js";

const DAY_SECONDS = 86_400;

/** Thrown as a 429 with `Retry-After`; the same answer whether or not the account exists. */
export function tooManyAttempts(retryAfterSeconds: number): ApiError {
  const error = new ApiError(429, "too_many_attempts", "Too many sign-in attempts; try again later");
  error.headers = { "retry-after": String(retryAfterSeconds) };
  return error;
}

/**
 * One rule over keys: attempts are consumed before any password is hashed, so
 * concurrent guesses cannot slip past the count. The attempt that crosses the
 * limit blocks the key for `blockSeconds · 2^(strikes − 1)` (at most
 * `maxBlockSeconds`), strikes being how often the key crossed it in the last day.
 */
class EscalatingThrottle {
  readonly #attempts: RateLimiterAbstract;
  readonly #strikes: RateLimiterAbstract;

  constructor(
    store: LimiterStore,
    name: string,
    private readonly rule: ThrottleRule,
  ) {
    this.#attempts = store.limiter({ name: `${name}:attempts:`, points: rule.attempts, durationSeconds: rule.windowSeconds, whenRedisIsDown: "use-memory" });
    this.#strikes = store.limiter({ name: `${name}:strikes:`, points: Number.MAX_SAFE_INTEGER, durationSeconds: DAY_SECONDS, whenRedisIsDown: "use-memory" });
  }

  /** Counts an attempt; resolves with nothing, or with the seconds to wait when the key is over its limit. */
  async take(key: string): Promise<number | undefined> {
    try {
      await this.#attempts.consume(key);
      return undefined;
    } catch (rejection) {
      if (!(rejection instanceof RateLimiterRes)) throw rejection;
      if (rejection.consumedPoints !== this.rule.attempts + 1) return Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      const strikes = (await this.#strikes.penalty(key)).consumedPoints;
      const seconds = Math.min(this.rule.blockSeconds * 2 ** Math.min(strikes - 1, 30), this.rule.maxBlockSeconds);
      await this.#attempts.block(key, seconds);
      return seconds;
    }
  }

  /** Gives an attempt back (a success, or an attempt another rule refused). */
  async refund(key: string): Promise<void> {
    await this.#attempts.reward(key);
  }

  /** Forgets the key's attempts and strikes. */
  async reset(key: string): Promise<void> {
    await Promise.all([this.#attempts.delete(key), this.#strikes.delete(key)]);
  }
}

/** The keys of one sign-in attempt, handed back to {@link SignInThrottle.succeeded}. */
export interface SignInAttempt {
  readonly accountAndIp: string;
  readonly ip: string;
}

/**
 * Sign-in throttling after OWASP's authentication and credential stuffing
 * cheat sheets: per (account, client IP), so an attacker locks out only
 * their own address and the owner keeps signing in from theirs, and per
 * client IP over all accounts, against one address trying many accounts.
 * Emails are hashed before they become keys.
 */
export class SignInThrottle {
  readonly #perAccountAndIp: EscalatingThrottle;
  readonly #perIp: EscalatingThrottle;

  readonly #delayMs: number;

  constructor(store: LimiterStore, rules: { signInPerAccountAndIp: ThrottleRule; signInPerIp: ThrottleRule; throttledSignInDelayMs: number }) {
    this.#delayMs = rules.throttledSignInDelayMs;
    this.#perAccountAndIp = new EscalatingThrottle(store, "sign-in:account-ip", rules.signInPerAccountAndIp);
    this.#perIp = new EscalatingThrottle(store, "sign-in:ip", rules.signInPerIp);
  }

  /**
   * Counts an attempt before any hashing; throws a 429 `too_many_attempts`
   * with `Retry-After` when the (account, IP) pair or the IP is over its limit.
   */
  async begin(tenantId: string, email: string, ip: string | null): Promise<SignInAttempt> {
    const ipKey = clientIpKey(ip);
    const account = createHash("sha256").update(`${tenantId}\n${email.trim().toLowerCase()}`).digest("base64url").slice(0, 32);
    const attempt: SignInAttempt = { accountAndIp: `${account}:${ipKey}`, ip: ipKey };
    const pairWait = await this.#perAccountAndIp.take(attempt.accountAndIp);
    if (pairWait !== undefined) throw await this.#refusal(pairWait);
    const ipWait = await this.#perIp.take(attempt.ip);
    if (ipWait !== undefined) {
      await this.#perAccountAndIp.refund(attempt.accountAndIp);
      throw await this.#refusal(ipWait);
    }
    return attempt;
  }

  // Held back a little: a flood that waits for its answers then costs a timer, not the CPU a fast 429 would.
  // Randomised between half and all of the delay, so a flood's answers (and its next guesses) do not arrive in bursts.
  async #refusal(retryAfterSeconds: number): Promise<ApiError> {
    const delay = Math.min(this.#delayMs, retryAfterSeconds * 1000) * (0.5 + Math.random() / 2);
    if (delay > 0) await sleep(delay);
    return tooManyAttempts(retryAfterSeconds);
  }

  /** The password was right: the pair starts afresh and the IP gets its attempt back. */
  async succeeded(attempt: SignInAttempt): Promise<void> {
    await Promise.all([this.#perAccountAndIp.reset(attempt.accountAndIp), this.#perIp.refund(attempt.ip)]);
  }
}
