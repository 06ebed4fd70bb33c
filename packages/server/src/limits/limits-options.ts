import { availableParallelism } from "node:os";

/**
 * One throttling rule: `attempts` per `windowSeconds`; crossing it blocks the
 * key for `blockSeconds`, doubling at each further crossing within a day, up
 * to `maxBlockSeconds`.
 */
export interface ThrottleRule {
  attempts: number;
  windowSeconds: number;
  blockSeconds: number;
  maxBlockSeconds: number;
}

/** A fixed-window request budget: `requests` per `windowSeconds`. */
export interface RateRule {
  requests: number;
  windowSeconds: number;
}

/**
 * Every abuse limit of the server. Each field is optional in
 * `createServer({ limits })`; what is left out keeps its default
 * ({@link PRODUCTION_LIMITS}, or {@link DEVELOPMENT_LIMITS} for `dev` and
 * `startTestServer()`).
 *
 * @example
 * ```ts
 * const server = await createServer({
 *   masterKey,
 *   redisUrl: "redis://127.0.0.1:6379",
 *   limits: { adminApi: { requests: 5000, windowSeconds: 10 }, hashing: { concurrency: 2, queue: 64 } },
 * });
 * ```
 */
export interface LimitsOptions {
  /**
   * The defaults the other fields adjust: `"production"` ({@link PRODUCTION_LIMITS},
   * the default of `createServer()`) or `"development"` ({@link DEVELOPMENT_LIMITS}).
   */
  preset?: "production" | "development";
  /** Password sign-ins per (account, client IP). Every attempt counts; a success resets the pair. */
  signInPerAccountAndIp?: Partial<ThrottleRule>;
  /** Password sign-ins per client IP, over all accounts. Successes are refunded, so only failures add up. */
  signInPerIp?: Partial<ThrottleRule>;
  /** Admin API calls per secret key. */
  adminApi?: Partial<RateRule>;
  /**
   * Argon2 computations at once (`concurrency`) and how many may wait for a
   * slot (`queue`); past that, `503` with `Retry-After` at once.
   */
  hashing?: Partial<HashingLimits>;
  /**
   * How long a throttled sign-in waits before its `429` is sent, at most, in ms (capped by
   * its `Retry-After`; randomised between half and all of it, so answers do not bunch up). An attacker who waits for answers is slowed to a trickle that costs
   * no CPU, instead of getting cheap 429s as fast as it can send; an honest client must
   * wait `Retry-After` anyway. Default 1000; 0 in the development preset.
   */
  throttledSignInDelayMs?: number;
}

/** Bounds of the password hashing admission control. */
export interface HashingLimits {
  concurrency: number;
  queue: number;
}

/** Every limit, with nothing left out. */
export interface ResolvedLimits {
  signInPerAccountAndIp: ThrottleRule;
  signInPerIp: ThrottleRule;
  adminApi: RateRule;
  hashing: HashingLimits;
  throttledSignInDelayMs: number;
}

// Argon2 runs on libuv's pool; leaving one core to the event loop keeps admin calls and token checks fast.
const defaultConcurrency = (): number => Math.max(1, Math.min(4, availableParallelism() - 1));

/**
 * What `start` and `createServer()` use: 5 sign-in attempts per account and
 * IP in 15 minutes, then 30 s blocked, doubling to 1 h; 50 failed sign-ins
 * per IP in 15 minutes, then 5 min blocked, doubling to 1 h; 1,000 admin
 * calls per secret key in 10 s; a throttled sign-in is answered after 0.5–1 s.
 */
export const PRODUCTION_LIMITS: ResolvedLimits = {
  signInPerAccountAndIp: { attempts: 5, windowSeconds: 900, blockSeconds: 30, maxBlockSeconds: 3600 },
  signInPerIp: { attempts: 50, windowSeconds: 900, blockSeconds: 300, maxBlockSeconds: 3600 },
  adminApi: { requests: 1000, windowSeconds: 10 },
  hashing: { concurrency: defaultConcurrency(), queue: 32 },
  throttledSignInDelayMs: 1000,
};

/**
 * What `hellojohn-server dev` and `startTestServer()` use: the same
 * mechanisms with limits a developer or a test suite does not reach by
 * accident (100 attempts per account and IP in a minute, blocks of 1–10 s,
 * 100,000 admin calls in 10 s, a queue of 10,000 hashes).
 */
export const DEVELOPMENT_LIMITS: ResolvedLimits = {
  signInPerAccountAndIp: { attempts: 100, windowSeconds: 60, blockSeconds: 1, maxBlockSeconds: 10 },
  signInPerIp: { attempts: 1000, windowSeconds: 60, blockSeconds: 1, maxBlockSeconds: 10 },
  adminApi: { requests: 100_000, windowSeconds: 10 },
  hashing: { concurrency: defaultConcurrency(), queue: 10_000 },
  throttledSignInDelayMs: 0,
};

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`limits.${name} must be a positive integer, got ${String(value)}`);
  return value;
}

function checked<T extends object>(base: T, given: Partial<T> | undefined, name: string): T {
  const defined = Object.fromEntries(Object.entries(given ?? {}).filter(([, value]) => value !== undefined)) as Partial<T>;
  const out = { ...base, ...defined };
  for (const [key, value] of Object.entries(out)) positiveInteger(value as number, `${name}.${key}`);
  return out;
}

function delay(value: number): number {
  if (!Number.isInteger(value) || value < 0 || value > 60_000) throw new TypeError(`limits.throttledSignInDelayMs must be an integer from 0 to 60000, got ${String(value)}`);
  return value;
}

/** Fills what `options` leaves out from `base` and refuses non-positive or fractional numbers. */
export function resolveLimits(options: LimitsOptions | undefined): ResolvedLimits {
  const base = options?.preset === "development" ? DEVELOPMENT_LIMITS : PRODUCTION_LIMITS;
  return {
    signInPerAccountAndIp: checked(base.signInPerAccountAndIp, options?.signInPerAccountAndIp, "signInPerAccountAndIp"),
    signInPerIp: checked(base.signInPerIp, options?.signInPerIp, "signInPerIp"),
    adminApi: checked(base.adminApi, options?.adminApi, "adminApi"),
    hashing: checked(base.hashing, options?.hashing, "hashing"),
    throttledSignInDelayMs: delay(options?.throttledSignInDelayMs ?? base.throttledSignInDelayMs),
  };
}
