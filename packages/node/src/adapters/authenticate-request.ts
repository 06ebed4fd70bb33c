import { TokenVerificationError, isHelloJohnError, type HelloJohnError } from "../core/errors.js";
import { loggerOf, verifierOf, type HelloJohn } from "../hellojohn.js";
import type { VerifiedToken } from "../tokens/verify-token.interface.js";

/** Request headers as Node's `http` module (and every framework on it) exposes them. */
export type IncomingHeaders = Record<string, string | string[] | undefined>;

/** Where framework adapters look for the session token. */
export interface AuthenticateRequestOptions {
  /** Also read the token from this cookie when there is no `Authorization: Bearer` header. */
  cookieName?: string | undefined;
  /** Check with HelloJohn that the session is still active (one API call). */
  checkRevoked?: boolean | undefined;
  /** Required `aud`, instead of the client's `audience` option. */
  audience?: string | string[] | undefined;
  /** Allowed `azp`, instead of the client's `authorizedParties` option. */
  authorizedParties?: string[] | undefined;
}

/**
 * The outcome of {@link authenticateRequest}: a session, or why there is none —
 * no token, a refused token (`error`), or HelloJohn failing to answer
 * (`failure`: unreachable, timing out, rate limiting or refusing the app's key).
 */
export type RequestAuthentication =
  | { auth: VerifiedToken; token: string; error: null; failure?: undefined }
  | { auth: null; token: string | null; error: TokenVerificationError | null; failure?: undefined }
  | { auth: null; token: string; error: null; failure: HelloJohnError };

function cookie(header: string | string[] | undefined, name: string): string | null {
  const text = Array.isArray(header) ? header.join("; ") : header;
  if (text === undefined) return null;
  for (const part of text.split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return null;
      }
    }
  }
  return null;
}

const BEARER = /^bearer /i;

/** The bearer token of a request, from `Authorization: Bearer …` or the named cookie. */
export function tokenFromHeaders(headers: IncomingHeaders, cookieName?: string): string | null {
  const authorization = headers.authorization;
  // A regular expression test rather than slice + toLowerCase: no strings made on every request.
  if (typeof authorization === "string" && BEARER.test(authorization)) {
    const token = authorization.slice(7).trim();
    return token === "" ? null : token;
  }
  return cookieName === undefined ? null : cookie(headers.cookie, cookieName);
}

/**
 * Verifies the session token of an incoming request. Never throws for a bad
 * or missing token (that is `error`/`null`), nor when HelloJohn cannot answer
 * a key fetch or revocation check (that is `failure`, logged as a warning):
 * a public route keeps working without a session, and a guarded one answers
 * `errorResponse(failure)` — a 503 with `Retry-After` when HelloJohn is down.
 *
 * Answers synchronously when it can (no token, or a token verified before and
 * not expired, without `checkRevoked`), so that frameworks can continue
 * without a promise hop on most requests; otherwise returns a promise.
 * `await` works either way.
 *
 * This is the one implementation the Express, Fastify and NestJS adapters share.
 *
 * @example
 * ```ts
 * const { auth, error } = await authenticateRequest(hj, req.headers, { cookieName: "hj_session" });
 * if (auth === null) res.writeHead(401).end(JSON.stringify(unauthorizedBody(error)));
 * ```
 */
export function authenticateRequest(client: HelloJohn, headers: IncomingHeaders, options: AuthenticateRequestOptions = {}): RequestAuthentication | Promise<RequestAuthentication> {
  return authenticateToken(client, tokenFromHeaders(headers, options.cookieName), options);
}

/**
 * {@link authenticateRequest} for a token already taken from the request:
 * what a guard such as `requireAuth({ checkRevoked: true })` calls to check
 * a token again. Same answers, synchronous when it can be.
 *
 * @example
 * ```ts
 * const { auth, error, failure } = await authenticateToken(hj, token, { checkRevoked: true });
 * ```
 */
export function authenticateToken(
  client: HelloJohn,
  token: string | null,
  options: Pick<AuthenticateRequestOptions, "checkRevoked" | "audience" | "authorizedParties"> = {},
): RequestAuthentication | Promise<RequestAuthentication> {
  if (token === null) return { auth: null, token: null, error: null };
  if (options.checkRevoked !== true) {
    // The options are passed as they are: only their audience and authorized parties are read, and nothing is allocated.
    const remembered = verifierOf(client)?.remembered(token, options);
    if (remembered !== undefined) return { auth: remembered, token, error: null };
  }
  const { audience, authorizedParties } = options;
  // Plain promise chaining rather than async/await: this runs on every request.
  return client.verifyToken(token, { checkRevoked: options.checkRevoked === true, audience, authorizedParties }).then(
    (auth): RequestAuthentication => ({ auth, token, error: null }),
    (error: unknown): RequestAuthentication => {
      if (error instanceof TokenVerificationError || (isHelloJohnError(error) && error.type === "token_verification_error")) {
        return { auth: null, token, error: error as TokenVerificationError };
      }
      if (!isHelloJohnError(error)) throw error;
      loggerOf(client)?.log("warn", `Could not verify a session token, so the request has no session: ${error.message}`, {
        requestId: error.requestId,
      });
      return { auth: null, token, error: null, failure: error };
    },
  );
}

/**
 * {@link authenticateRequest} for callback-style middleware (Express, Fastify
 * callback hooks): `callback` runs synchronously when the answer is known at
 * once, so a remembered token costs no promise hop.
 *
 * @example
 * ```ts
 * authenticateRequestCallback(hj, req.headers, {}, (error, authentication) => {
 *   if (error !== null) return next(error);
 *   const { auth, token, error: refused, failure } = authentication;
 *   req.hj = new RequestState(hj, auth, token, refused, failure);
 *   next();
 * });
 * ```
 */
export function authenticateRequestCallback(
  client: HelloJohn,
  headers: IncomingHeaders,
  options: AuthenticateRequestOptions,
  callback: (...args: [error: Error, authentication: null] | [error: null, authentication: RequestAuthentication]) => void,
): void {
  let result: RequestAuthentication | Promise<RequestAuthentication>;
  try {
    result = authenticateRequest(client, headers, options);
  } catch (error) {
    return callback(error as Error, null);
  }
  if (!(result instanceof Promise)) return callback(null, result);
  result.then(
    (authentication) => callback(null, authentication),
    (error: unknown) => callback(error as Error, null),
  );
}

/** The JSON body of a 401 answer, in the API's error format. */
export function unauthorizedBody(error: TokenVerificationError | null): {
  error: { type: "authentication_error"; code: string; message: string };
} {
  return {
    error: {
      type: "authentication_error",
      code: error === null ? "unauthenticated" : `token_${error.code}`,
      message: error === null ? "A valid HelloJohn session is required" : error.message,
    },
  };
}
