import { ApiError } from "../domain/api-error.js";
import type { HashingLimits } from "./limits-options.js";

/** Counters of the admission control, for health checks, tests and benchmarks. */
export interface HashingStats {
  /** Hashes computing now. */
  running: number;
  /** Hashes waiting for a slot. */
  queued: number;
  /** Hashes finished since the server started. */
  completed: number;
  /** Hashes refused with a 503 because the queue was full. */
  rejected: number;
}

/**
 * Admission control for Argon2: at most `concurrency` computations at once
 * and `queue` waiting; anything past that is refused at once with `503` and
 * `Retry-After: 1` instead of queueing without end. Keeping hashing below the
 * core count leaves the event loop free for admin calls and token checks.
 */
export class HashingAdmission {
  readonly #limits: HashingLimits;
  readonly #waiting: Array<() => void> = [];
  #running = 0;
  #completed = 0;
  #rejected = 0;

  constructor(limits: HashingLimits) {
    this.#limits = limits;
  }

  /** Runs `work` when a slot is free; throws a 503 `server_busy` when the queue is full. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#limits.concurrency) {
      if (this.#waiting.length >= this.#limits.queue) {
        this.#rejected++;
        const error = new ApiError(503, "server_busy", "The server is busy hashing passwords; retry after the Retry-After delay");
        error.headers = { "retry-after": "1" };
        throw error;
      }
      // The slot is handed over by the finishing task, so `running` never drops below the true count.
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running++;
    }
    try {
      return await work();
    } finally {
      this.#completed++;
      const next = this.#waiting.shift();
      if (next === undefined) this.#running--;
      else next();
    }
  }

  stats(): HashingStats {
    return { running: this.#running, queued: this.#waiting.length, completed: this.#completed, rejected: this.#rejected };
  }
}
