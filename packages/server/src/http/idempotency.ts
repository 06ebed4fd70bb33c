import { IdempotencyKey } from "../contract/schemas.js";
import { createHash, randomUUID } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import type { MasterKey } from "../crypto/master-key.js";
import { ApiError } from "../domain/api-error.js";
import type { Database } from "../store/database.js";
import type { IdempotencyStore } from "../store/idempotency.store.js";
import type { Executor } from "../store/schema.js";

/** Stored responses are replayed for this long. */
export const IDEMPOTENCY_TTL_MS = 24 * 3600 * 1000;
/**
 * A claim is held for this long and renewed while its request runs; when its
 * server dies the renewals stop, and a retry takes the claim over once it lapses.
 */
export const IDEMPOTENCY_LEASE_MS = 5_000;
const RENEW_EVERY_MS = 2_000;
const WAIT_FOR_FIRST_MS = 10_000;
const POLL_MS = 25;

/** A request's hold on its `Idempotency-Key`. */
export interface IdempotencyClaim {
  readonly tenantId: string;
  readonly key: string;
  readonly claimToken: string;
  /** The resource the request names (path or body), if any: see {@link namedResource}. */
  readonly resourceId: string | null;
  /** Set once the outcome was written in the mutation's own transaction. */
  recorded: boolean;
  renewal: ReturnType<typeof setInterval> | undefined;
}

const fingerprint = (request: FastifyRequest): string =>
  createHash("sha256")
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest("hex");

/** A well-formed resource ID of any kind (`usr_…`, `org_…`, `whe_…`). */
const RESOURCE_ID = /^[a-z]{3}_[0-9A-HJKMNP-TV-Z]{26}$/;
const resourceIdOrNull = (value: unknown): string | null => (typeof value === "string" && RESOURCE_ID.test(value) ? value : null);

/**
 * The resource a request names, whose deletion must forget the stored
 * response: a user first (in the path, or the body of "add a member"), since
 * responses about a person go with them; else the path's last ID (the
 * organization, the webhook endpoint…), never the tenant.
 */
function namedResource(request: FastifyRequest): string | null {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const user = resourceIdOrNull(params.user_id) ?? resourceIdOrNull((request.body as { user_id?: unknown } | undefined)?.user_id);
  if (user !== null) return user;
  const ids = Object.entries(params)
    .filter(([name]) => name !== "tenant_id")
    .map(([, value]) => resourceIdOrNull(value));
  return ids.reverse().find((id) => id !== null) ?? null;
}

/** The resource a response describes: the one the request named, else the one it created (its `id`) or signed in (its `user.id`). */
function resourceOf(claim: IdempotencyClaim, result: unknown): string | null {
  if (claim.resourceId !== null) return claim.resourceId;
  const value = result as { id?: unknown; user?: { id?: unknown } } | null;
  return resourceIdOrNull(value?.id) ?? resourceIdOrNull(value?.user?.id);
}

/**
 * `Idempotency-Key` handling. The first request with a key claims it; a
 * mutation writes its response into the claim in the same transaction as its
 * change, so a crash leaves both or neither and a retry completes exactly once.
 * A repeat replays the stored response; the same key with a different request
 * is a 422. Stored responses are sealed with the master key (they may hold
 * tokens) and know the user they are about, so deleting the user removes them.
 */
export class Idempotency {
  constructor(
    private readonly database: Database,
    private readonly store: IdempotencyStore,
    private readonly master: MasterKey,
  ) {}

  /** Returns the claim to complete later, or `undefined` after replaying a stored response. */
  async begin(request: FastifyRequest, reply: FastifyReply, tenantId: string): Promise<IdempotencyClaim | undefined> {
    const header = request.headers["idempotency-key"];
    if (header === undefined) return undefined;
    if (typeof header !== "string" || header.length < IdempotencyKey.minLength || header.length > IdempotencyKey.maxLength) {
      throw new ApiError(400, "invalid_idempotency_key", `Idempotency-Key must be ${IdempotencyKey.minLength} to ${IdempotencyKey.maxLength} characters`, "Idempotency-Key");
    }
    const print = fingerprint(request);
    const db = this.database.db;
    const deadline = Date.now() + WAIT_FOR_FIRST_MS;
    for (;;) {
      const claimToken = randomUUID();
      const now = Date.now();
      try {
        await this.store.claim(db, {
          tenant_id: tenantId,
          key: header,
          fingerprint: print,
          status_code: null,
          response_body: null,
          created_at: now,
          claim_token: claimToken,
          locked_until: now + IDEMPOTENCY_LEASE_MS,
          resource_id: null,
        });
        return this.#hold(tenantId, header, claimToken, namedResource(request));
      } catch (error) {
        if (!this.database.isUniqueViolation(error)) throw error;
      }
      const existing = await this.store.find(db, tenantId, header);
      if (existing === undefined) continue; // released by a failed first attempt: claim it now
      if (existing.created_at < now - IDEMPOTENCY_TTL_MS) {
        await this.store.forget(db, tenantId, header);
        continue;
      }
      if (existing.fingerprint !== print) {
        throw new ApiError(422, "idempotency_key_reused", "This Idempotency-Key was used with a different request", "Idempotency-Key");
      }
      if (existing.status_code !== null && existing.response_body !== null) {
        void reply.code(existing.status_code).header("idempotent-replayed", "true").type("application/json").send(this.#open(existing.response_body));
        return undefined;
      }
      // In progress. A lapsed lease means its server died: no outcome was committed, so run it again.
      if ((existing.locked_until ?? 0) < now && (await this.store.takeOver(db, tenantId, header, claimToken, now, now + IDEMPOTENCY_LEASE_MS))) {
        return this.#hold(tenantId, header, claimToken, namedResource(request));
      }
      if (now > deadline) {
        throw new ApiError(409, "idempotency_in_progress", "A request with this Idempotency-Key is still in progress", "Idempotency-Key");
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  #hold(tenantId: string, key: string, claimToken: string, resourceId: string | null): IdempotencyClaim {
    const claim: IdempotencyClaim = { tenantId, key, claimToken, resourceId, recorded: false, renewal: undefined };
    claim.renewal = setInterval(() => {
      void this.store.renew(this.database.db, tenantId, key, claimToken, Date.now() + IDEMPOTENCY_LEASE_MS).catch(() => undefined);
    }, RENEW_EVERY_MS);
    claim.renewal.unref();
    return claim;
  }

  /**
   * Writes the response into the claim inside the mutation's transaction. If a
   * retry took the claim over meanwhile, the mutation is rolled back with a 409,
   * so the change still happens exactly once.
   */
  async record(trx: Executor, claim: IdempotencyClaim, statusCode: number, body: string, result: unknown): Promise<void> {
    const stored = await this.store.complete(trx, claim, { statusCode, sealedBody: this.#seal(body), resourceId: resourceOf(claim, result) });
    if (!stored) {
      throw new ApiError(409, "idempotency_in_progress", "A retry with this Idempotency-Key took over this request; it made no change", "Idempotency-Key");
    }
    claim.recorded = true;
  }

  /** After the response: stores an outcome not yet recorded (a 4xx), or releases the key after a server error. */
  async finish(claim: IdempotencyClaim, statusCode: number, payload: unknown): Promise<void> {
    clearInterval(claim.renewal);
    if (statusCode >= 500 || typeof payload !== "string") {
      // A no-op when the outcome committed: only unfinished claims are released.
      await this.store.release(this.database.db, claim.tenantId, claim.key, claim.claimToken);
    } else if (!claim.recorded) {
      await this.store.complete(this.database.db, claim, { statusCode, sealedBody: this.#seal(payload), resourceId: claim.resourceId });
    }
  }

  /** Deletes up to `batch` records past their replay window at `now`; returns how many went. */
  sweepBatch(now: number, batch: number): Promise<number> {
    return this.store.deleteOlderThan(this.database.db, now - IDEMPOTENCY_TTL_MS, batch);
  }

  #seal(body: string): string {
    return this.master.encrypt(Buffer.from(body, "utf8"));
  }

  #open(stored: string): string {
    return stored.startsWith("v1.") ? this.master.decrypt(stored).toString("utf8") : stored;
  }
}
