import { AdminApiRateLimit } from "./admin-api-rate-limit.js";
import { HashingAdmission, type HashingStats } from "./hashing-admission.js";
import { LimiterStore, type LimitsHealth, type LimitsLogger } from "./limiter-store.js";
import { resolveLimits, type LimitsOptions, type ResolvedLimits } from "./limits-options.js";
import { SignInThrottle } from "./sign-in-throttle.js";

/** Where the limits live and how password hashing is doing; `server.limits` and part of `/health`. */
export interface LimitsStatus {
  /** Every limit in force, defaults filled in. */
  readonly config: ResolvedLimits;
  /** Redis or memory, and whether a configured Redis is reachable. */
  health(): LimitsHealth;
  /** The password hashing admission control's counters. */
  hashing(): HashingStats;
}

/** Every abuse limit of one server instance, over one shared store. */
export class Limits implements LimitsStatus {
  readonly config: ResolvedLimits;
  readonly signIn: SignInThrottle;
  readonly adminApi: AdminApiRateLimit;
  readonly admission: HashingAdmission;
  readonly #store: LimiterStore;

  constructor(options: { redisUrl?: string; redisKeyPrefix?: string; limits?: LimitsOptions }) {
    this.config = resolveLimits(options.limits);
    this.#store = new LimiterStore(options.redisUrl, options.redisKeyPrefix);
    this.signIn = new SignInThrottle(this.#store, this.config);
    this.adminApi = new AdminApiRateLimit(this.#store, this.config.adminApi);
    this.admission = new HashingAdmission(this.config.hashing);
  }

  set logger(log: LimitsLogger) {
    this.#store.logger = log;
  }

  /** Resolves once a configured Redis answers, or after `timeoutMs` (the server then starts on memory). */
  ready(timeoutMs?: number): Promise<void> {
    return this.#store.ready(timeoutMs);
  }

  health(): LimitsHealth {
    return this.#store.health();
  }

  hashing(): HashingStats {
    return this.admission.stats();
  }

  close(): Promise<void> {
    return this.#store.close();
  }
}
