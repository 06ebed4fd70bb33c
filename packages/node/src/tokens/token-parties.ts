import { TokenVerificationError } from "../core/errors.js";
import type { VerifiedToken, VerifyTokenOptions } from "./verify-token.interface.js";

/** The `aud` and `azp` requirements of {@link VerifyTokenOptions}. */
export type TokenPartiesOptions = Pick<VerifyTokenOptions, "audience" | "authorizedParties">;

/** @internal Throws `invalid_audience` or `invalid_authorized_party` when `claims` miss what `options` require. */
export function assertTokenParties(claims: Readonly<Record<string, unknown>>, options: TokenPartiesOptions): void {
  if (options.audience !== undefined) {
    const wanted = Array.isArray(options.audience) ? options.audience : [options.audience];
    const actual = Array.isArray(claims.aud) ? (claims.aud as unknown[]) : [claims.aud];
    if (!actual.some((value) => typeof value === "string" && wanted.includes(value))) {
      throw new TokenVerificationError("invalid_audience", `Token audience does not include ${wanted.map((w) => JSON.stringify(w)).join(" or ")}`);
    }
  }
  const parties = options.authorizedParties;
  // Clerk's rule: a token without azp passes; one with azp must name a listed party.
  if (parties !== undefined && parties.length > 0 && claims.azp !== undefined && (typeof claims.azp !== "string" || !parties.includes(claims.azp))) {
    throw new TokenVerificationError(
      "invalid_authorized_party",
      `Token authorized party ${JSON.stringify(claims.azp)} is not one of ${parties.map((p) => JSON.stringify(p)).join(", ")}`,
    );
  }
}

/**
 * Checks an already verified token against an `audience` and
 * `authorizedParties` (`azp`, with Clerk's meaning: a token without `azp`
 * passes), for adapters that add per-route requirements on top of the
 * client's. Returns the refusal, or `null` when the token qualifies.
 *
 * @example
 * ```ts
 * const refusal = checkTokenParties(auth, { audience: "https://api.example.com", authorizedParties: ["https://app.example.com"] });
 * if (refusal !== null) res.writeHead(401).end(JSON.stringify(unauthorizedBody(refusal)));
 * ```
 */
export function checkTokenParties(auth: VerifiedToken, options: TokenPartiesOptions): TokenVerificationError | null {
  try {
    assertTokenParties(auth.claims, options);
    return null;
  } catch (error) {
    return error as TokenVerificationError;
  }
}
