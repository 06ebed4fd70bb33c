import { randomUUID, type KeyObject } from "node:crypto";
import { signJwt } from "../crypto/jwt-signer.js";
import type { OpenIdConfiguration } from "../domain/models.js";
import type { TokenOrganization } from "./organization-context.js";
import type { TenantsService } from "./tenants.service.js";

/** Access tokens live this long: short, because without a revocation check they stay valid until expiry. */
export const ACCESS_TOKEN_TTL_SECONDS = 15 * 60;

export interface AccessTokenInput {
  tenantId: string;
  userId: string;
  sessionId: string;
  expiresInSeconds: number;
  audience?: string;
  /** The `azp` claim: the origin of the app the token was issued to. */
  authorizedParty?: string;
  /** RFC 8693 actor: the API key that impersonates, and why. */
  actor?: { keyId: string; reason: string };
  /** The active organization: becomes the compact `org_id` and `org_role` claims. */
  organization?: TokenOrganization;
}

/** Signs access tokens with the tenant's current Ed25519 key. */
export class TokenIssuer {
  constructor(
    private readonly tenants: TenantsService,
    private readonly issuerBase: () => string,
  ) {}

  /** `iss` of the tenant's tokens. */
  issuer(tenantId: string): string {
    return `${this.issuerBase()}/v1/tenants/${tenantId}`;
  }

  /**
   * The tenant's OpenID discovery document: what its tokens' `iss` is and where
   * its keys are, so that any OIDC library, and the SDK behind any host name,
   * can verify them.
   */
  async openIdConfiguration(tenantId: string): Promise<OpenIdConfiguration> {
    await this.tenants.jwks(tenantId); // 404 for an unknown tenant, as the JWKS answers.
    const issuer = this.issuer(tenantId);
    return {
      issuer,
      jwksUri: `${issuer}/jwks.json`,
      signingAlgorithms: ["EdDSA"],
      subjectTypes: ["public"],
      claims: ["iss", "sub", "aud", "azp", "exp", "nbf", "iat", "jti", "sid", "tid", "act", "act_reason"],
    };
  }

  async issue(input: AccessTokenInput): Promise<{ token: string; expiresAt: number }> {
    return (await this.signerFor(input.tenantId))(input);
  }

  /**
   * Loads the tenant's signing key and returns a synchronous signer, for code
   * that must sign inside a transaction without querying the database again.
   */
  async signerFor(tenantId: string): Promise<(input: AccessTokenInput) => { token: string; expiresAt: number }> {
    const { kid, key } = await this.tenants.signer(tenantId);
    return (input) => this.#sign(input, kid, key);
  }

  #sign(input: AccessTokenInput, kid: string, key: KeyObject): { token: string; expiresAt: number } {
    const now = Math.floor(Date.now() / 1000);
    const exp = now + input.expiresInSeconds;
    const claims: Record<string, unknown> = {
      iss: this.issuer(input.tenantId),
      sub: input.userId,
      iat: now,
      nbf: now,
      exp,
      jti: randomUUID(),
      sid: input.sessionId,
      tid: input.tenantId,
    };
    if (input.audience !== undefined) claims.aud = input.audience;
    if (input.authorizedParty !== undefined) claims.azp = input.authorizedParty;
    if (input.organization !== undefined) {
      claims.org_id = input.organization.id;
      claims.org_role = input.organization.role;
    }
    if (input.actor !== undefined) {
      claims.act = { sub: input.actor.keyId };
      claims.act_reason = input.actor.reason;
    }
    return { token: signJwt(claims, kid, key), expiresAt: exp * 1000 };
  }
}
