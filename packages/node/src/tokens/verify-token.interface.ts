/** Options for {@link HelloJohn.verifyToken}. */
export interface VerifyTokenOptions {
  /**
   * Also ask HelloJohn whether the session is still active (one API call).
   * Without it, a token of a disabled user stays valid until its expiry.
   */
  checkRevoked?: boolean | undefined;
  /**
   * Required `aud` value(s): the token must carry one of them. Tokens carry
   * `aud` only when sign-in asked for one (`signInWithPassword({ audience })`).
   * Overrides the client's `audience` option.
   */
  audience?: string | string[] | undefined;
  /**
   * Origins allowed in the token's `azp` (authorized party) claim, as in
   * Clerk: a token whose `azp` is not listed is refused; a token without
   * `azp` passes. Overrides the client's `authorizedParties` option.
   */
  authorizedParties?: string[] | undefined;
}

/** Who is acting when a support agent impersonates a user (RFC 8693 `act`). */
export interface Impersonator {
  /** The API key ID (`key_…`) that started the impersonation. */
  actorId: string;
  reason: string;
}

/** What {@link VerifiedToken.has} checks. */
export interface CheckAuthorizationParams {
  /**
   * The role the user must hold in the token's active organization; with an
   * array, any one of them. Roles compare exactly: `"admin"` does not imply
   * `"member"`. HelloJohn reserves `"admin"` and `"member"` (the default).
   */
  role: string | readonly string[];
}

/** A verified access token. */
export interface VerifiedToken {
  userId: string;
  sessionId: string;
  tenantId: string;
  expiresAt: Date;
  /** Set when the session was created by `users.impersonate`. */
  impersonator: Impersonator | null;
  /**
   * The active organization (`org_id` claim), selected at sign-in, refresh or
   * impersonation; `null` when none was, or the user has since left it.
   */
  orgId: string | null;
  /** The user's role in {@link VerifiedToken.orgId} when the token was issued (`org_role` claim). */
  orgRole: string | null;
  /**
   * Whether the session holds the role in its active organization. False when
   * the token has no organization.
   *
   * @example
   * ```ts
   * if (!req.hj.auth?.has({ role: "admin" })) return res.status(403).end();
   * ```
   */
  has(params: CheckAuthorizationParams): boolean;
  /** Every claim of the token, as sent. */
  claims: Readonly<Record<string, unknown>>;
}
