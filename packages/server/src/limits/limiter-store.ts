import { Redis } from "ioredis";
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from "rate-limiter-flexible";

/** Where the limits are kept right now, as `/health` reports it. */
export interface LimitsHealth {
  /** `redis`: shared by every instance; `memory`: this instance only. */
  store: "redis" | "memory";
  /** `not_configured` without a Redis URL; `unavailable` while a configured Redis cannot be reached. */
  redis: "connected" | "unavailable" | "not_configured";
}

/** What the store does with a limit while Redis is unreachable. */
export type WhenRedisIsDown = "use-memory" | "fail-open";

/** The minimal logger the store reports Redis outages and recoveries to (Fastify's fits). */
export interface LimitsLogger {
  warn(message: string): void;
  info(message: string): void;
}

interface LimiterShape {
  name: string;
  points: number;
  durationSeconds: number;
  whenRedisIsDown: WhenRedisIsDown;
}

/**
 * Builds rate limiters (rate-limiter-flexible) over Redis when a URL is
 * given, else in memory, and watches the Redis connection: commands fail at
 * once while it is down (no offline queue), so a limiter either falls back to
 * memory or lets the call through, and the outage and the recovery are logged.
 */
export class LimiterStore {
  readonly #redis: Redis | undefined;
  readonly #prefix: string;
  #log: LimitsLogger | undefined;
  #up = false;
  #reportedDown = false;

  constructor(redisUrl: string | undefined, keyPrefix = "hellojohn:") {
    this.#prefix = keyPrefix;
    if (redisUrl === undefined || redisUrl === "") return;
    this.#redis = new Redis(redisUrl, {
      // Never queue a limiter's command behind a reconnect: a request must not wait for Redis to come back.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      commandTimeout: 500,
      connectTimeout: 2000,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    });
    this.#redis.on("ready", () => {
      this.#up = true;
      if (this.#reportedDown) this.#log?.info("Redis is reachable again: limits are shared across instances again");
      this.#reportedDown = false;
    });
    const down = (error?: Error): void => {
      this.#up = false;
      if (this.#reportedDown) return;
      this.#reportedDown = true;
      this.#log?.warn(
        `Redis is unreachable${error === undefined ? "" : ` (${error.message})`}: sign-in limits fall back to this instance's memory and admin API limits are not enforced until it returns`,
      );
    };
    this.#redis.on("error", (error: Error) => down(error));
    this.#redis.on("close", () => {
      if (this.#up) down();
    });
  }

  /** Where outages and recoveries are reported; the server's logger once it exists. */
  set logger(log: LimitsLogger) {
    this.#log = log;
  }

  /** Waits up to `timeoutMs` for a configured Redis to be ready, so limits are shared from the first request. */
  async ready(timeoutMs = 2000): Promise<void> {
    const redis = this.#redis;
    if (redis === undefined || redis.status === "ready") return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        redis.off("ready", done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      redis.once("ready", done);
    });
  }

  health(): LimitsHealth {
    if (this.#redis === undefined) return { store: "memory", redis: "not_configured" };
    return this.#redis.status === "ready" ? { store: "redis", redis: "connected" } : { store: "memory", redis: "unavailable" };
  }

  /** A limiter of `points` per `durationSeconds` under its own key space. */
  limiter({ name, points, durationSeconds, whenRedisIsDown }: LimiterShape): RateLimiterAbstract {
    const options = { keyPrefix: `${this.#prefix}${name}`, points, duration: durationSeconds };
    if (this.#redis === undefined) return new RateLimiterMemory(options);
    return new RateLimiterRedis({
      ...options,
      storeClient: this.#redis,
      rejectIfRedisNotReady: true,
      insuranceLimiter: whenRedisIsDown === "use-memory" ? new RateLimiterMemory(options) : undefined,
    });
  }

  async close(): Promise<void> {
    if (this.#redis === undefined) return;
    this.#redis.removeAllListeners("close");
    this.#redis.disconnect(false);
  }
}
