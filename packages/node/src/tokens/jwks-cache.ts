import { createPublicKey, type KeyObject } from "node:crypto";
import type { HttpClient } from "../core/http-client.js";

interface Jwk {
  kty?: string;
  crv?: string;
  x?: string;
  kid?: string;
  alg?: string;
  use?: string;
}

/** Minimum time between two fetches triggered by an unknown `kid`. */
const REFETCH_COOLDOWN_MS = 30_000;

/**
 * The tenant's Ed25519 public keys by `kid`. A key never changes under its
 * `kid`, so known keys are kept; an unknown `kid` triggers at most one fetch
 * per cooldown, shared by every concurrent caller.
 */
export class JwksCache {
  readonly #http: HttpClient;
  readonly #path: string;
  readonly #keys = new Map<string, KeyObject>();
  #lastFetch = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;

  constructor(http: HttpClient, tenantId: string) {
    this.#http = http;
    this.#path = `/v1/tenants/${encodeURIComponent(tenantId)}/jwks.json`;
  }

  /** The key for `kid`, fetching the JWKS if it is unknown and the cooldown allows. */
  async get(kid: string): Promise<KeyObject | undefined> {
    const known = this.#keys.get(kid);
    if (known !== undefined) return known;
    if (this.#inflight === undefined && Date.now() - this.#lastFetch >= REFETCH_COOLDOWN_MS) {
      this.#inflight = this.#refresh().finally(() => {
        this.#inflight = undefined;
      });
    }
    if (this.#inflight !== undefined) await this.#inflight;
    return this.#keys.get(kid);
  }

  async #refresh(): Promise<void> {
    const previous = this.#lastFetch;
    this.#lastFetch = Date.now();
    let keys: Jwk[];
    try {
      ({ keys } = await this.#http.request<{ keys: Jwk[] }>({ method: "GET", path: this.#path }));
    } catch (error) {
      // A failed fetch must not start the cooldown: the next verification tries again.
      this.#lastFetch = previous;
      throw error;
    }
    for (const jwk of keys) {
      if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.kid !== "string" || typeof jwk.x !== "string") continue;
      if (!this.#keys.has(jwk.kid)) {
        this.#keys.set(jwk.kid, createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x: jwk.x }, format: "jwk" }));
      }
    }
  }
}
