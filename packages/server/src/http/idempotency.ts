import { createHash } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { ApiError } from "../domain/api-error.js";
import type { Database } from "../store/database.js";
import type { IdempotencyStore } from "../store/idempotency.store.js";

/** Stored responses are replayed for this long. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 25;

export interface IdempotencyClaim {
  tenantId: string;
  key: string;
}

const fingerprint = (request: FastifyRequest): string =>
  createHash("sha256")
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest("hex");

/**
 * `Idempotency-Key` handling: the first request with a key claims it and its
 * response is stored; a repeat replays that response; the same key with a
 * different request is a 422. A 5xx is not stored, so a retry can try again.
 */
export class Idempotency {
  constructor(
    private readonly database: Database,
    private readonly store: IdempotencyStore,
  ) {}

  /** Returns the claim to complete later, or `undefined` after replaying a stored response. */
  async begin(request: FastifyRequest, reply: FastifyReply, tenantId: string): Promise<IdempotencyClaim | undefined> {
    const header = request.headers["idempotency-key"];
    if (header === undefined) return undefined;
    if (typeof header !== "string" || header.length === 0 || header.length > 255) {
      throw new ApiError(400, "invalid_idempotency_key", "Idempotency-Key must be 1 to 255 characters", "Idempotency-Key");
    }
    const print = fingerprint(request);
    const db = this.database.db;
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      try {
        await this.store.claim(db, { tenant_id: tenantId, key: header, fingerprint: print, status_code: null, response_body: null, created_at: Date.now() });
        return { tenantId, key: header };
      } catch (error) {
        if (!this.database.isUniqueViolation(error)) throw error;
      }
      const existing = await this.store.find(db, tenantId, header);
      if (existing === undefined) continue; // released by a failed first attempt: claim it now
      if (existing.created_at < Date.now() - IDEMPOTENCY_TTL_MS) {
        await this.store.release(db, tenantId, header);
        continue;
      }
      if (existing.fingerprint !== print) {
        throw new ApiError(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request", "Idempotency-Key");
      }
      if (existing.status_code !== null && existing.response_body !== null) {
        void reply.code(existing.status_code).header("idempotent-replayed", "true").type("application/json").send(existing.response_body);
        return undefined;
      }
      if (Date.now() > deadline) {
        throw new ApiError(409, "idempotency_in_progress", "A request with this Idempotency-Key is still in progress", "Idempotency-Key");
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  /** Stores the response for replay, or releases the key after a server error. */
  async finish(claim: IdempotencyClaim, statusCode: number, payload: unknown): Promise<void> {
    if (statusCode >= 500 || typeof payload !== "string") {
      await this.store.release(this.database.db, claim.tenantId, claim.key);
    } else {
      await this.store.complete(this.database.db, claim.tenantId, claim.key, statusCode, payload);
    }
  }

  sweep(): Promise<void> {
    return this.store.deleteOlderThan(this.database.db, Date.now() - IDEMPOTENCY_TTL_MS);
  }
}
