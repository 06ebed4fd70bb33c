import type { HttpClient } from "../core/http-client.js";

interface Jwk {
  kty?: string;
  crv?: string;
  x?: string;
  kid?: string;
  alg?: string;
  use?: string;
}

/** A Web Crypto key (named without the DOM library's `CryptoKey`, which Node's types lack). */
export type VerifyKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** Minimum time between two fetches triggered by an unknown `kid`. */
const REFETCH_COOLDOWN_MS = 30_000;

/**
 * The tenant's Ed25519 public keys by `kid`, imported once into Web Crypto
 * (every runtime has `crypto.subtle` with Ed25519; no `node:crypto`). A key
 * never changes under its `kid`, so known keys are kept; an unknown `kid`
 * triggers at most one fetch per cooldown, shared by every concurrent caller.
 */
export class JwksCache {
  readonly #http: HttpClient;
  readonly #path: string;
  readonly #keys = new Map<string, VerifyKey>();
  #lastFetch = Number.NEGATIVE_INFINITY;
  #inflight: Promise<void> | undefined;

  constructor(http: HttpClient, tenantId: string) {
    this.#http = http;
    this.#path = `/v1/tenants/${encodeURIComponent(tenantId)}/jwks.json`;
  }

  /** The key for `kid`, fetching the JWKS if it is unknown and the cooldown allows. */
  async get(kid: string): Promise<VerifyKey | undefined> {
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
    const fresh = keys.filter(
      (jwk): jwk is Jwk & { kid: string; x: string } =>
        jwk.kty === "OKP" && jwk.crv === "Ed25519" && typeof jwk.kid === "string" && typeof jwk.x === "string" && !this.#keys.has(jwk.kid),
    );
    const imported = await Promise.all(
      fresh.map((jwk) =>
        crypto.subtle.importKey("jwk", { kty: "OKP", crv: "Ed25519", x: jwk.x }, { name: "Ed25519" }, false, ["verify"]).then(
          (key) => [jwk.kid, key] as const,
          // A key this runtime cannot import is skipped like any unusable key: tokens signed with it fail as unknown_key.
          () => undefined,
        ),
      ),
    );
    for (const entry of imported) if (entry !== undefined) this.#keys.set(entry[0], entry[1]);
  }
}
