import type { HttpClient } from "../core/http-client.js";

/**
 * The `iss` a tenant's tokens carry, read once from its OpenID discovery
 * document (`/v1/tenants/{id}/.well-known/openid-configuration`) on the API
 * this client talks to, instead of guessed from `baseUrl`: a server reached as
 * `http://localhost:8787` or `http://hellojohn:8787` (a Docker service) may
 * call itself something else. The document comes from the same origin as the
 * signing keys, so it is trusted as much as they are.
 */
export class IssuerDiscovery {
  readonly #http: HttpClient;
  readonly #path: string;
  /** Used when the server publishes no discovery document (a 404): the old guess. */
  readonly #fallback: string;
  #issuer: string | undefined;
  #inflight: Promise<string> | undefined;

  /** @param configured The `issuer` option: when set, nothing is fetched. */
  constructor(http: HttpClient, tenantId: string, configured: string | undefined, fallback: string) {
    this.#http = http;
    this.#path = `/v1/tenants/${encodeURIComponent(tenantId)}/.well-known/openid-configuration`;
    this.#issuer = configured;
    this.#fallback = fallback;
  }

  /** The expected issuer; fetched at most once at a time, and a failed fetch is retried by the next caller. */
  issuer(): Promise<string> {
    if (this.#issuer !== undefined) return Promise.resolve(this.#issuer);
    this.#inflight ??= this.#discover().finally(() => {
      this.#inflight = undefined;
    });
    return this.#inflight;
  }

  async #discover(): Promise<string> {
    let issuer: unknown;
    try {
      ({ issuer } = await this.#http.request<{ issuer?: unknown }>({ method: "GET", path: this.#path }));
    } catch (error) {
      if ((error as { status?: unknown }).status !== 404) throw error;
    }
    this.#issuer = typeof issuer === "string" && issuer !== "" ? issuer : this.#fallback;
    return this.#issuer;
  }
}
