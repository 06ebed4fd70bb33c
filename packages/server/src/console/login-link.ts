import type { HelloJohnServer } from "../app.js";
import { CONSOLE_TIMING_DEFAULTS, createLoginToken } from "./console.service.js";

/** Options of {@link createConsoleLoginLink}. */
export interface ConsoleLoginLinkOptions {
  /** The tenant the operator will administer. */
  tenantId: string;
  /** Who signs in: the audit log shows every console action with this name as the actor. 1–100 of `A-Z a-z 0-9 . _ @ + -`. */
  operator: string;
  /** The origin the browser reaches the server at, e.g. `http://127.0.0.1:8787`. */
  baseUrl: string;
  /** How long the link works, in ms. Default 10 minutes. */
  ttlMs?: number;
}

/**
 * Creates a one-time, short-lived login link to the admin console at
 * `/console`: what `hellojohn-server console` prints. The secret travels in
 * the URL fragment, which browsers never send to servers or put in `Referer`,
 * so it stays out of access logs; the console trades it once for an HttpOnly
 * session cookie. Works against the server's database whether or not this
 * process serves the console.
 *
 * @example
 * ```ts
 * const { url } = await createConsoleLoginLink(server, { tenantId, operator: "alice", baseUrl: "http://127.0.0.1:8787" });
 * console.log(`Open ${url}`);
 * ```
 */
export async function createConsoleLoginLink(server: HelloJohnServer, options: ConsoleLoginLinkOptions): Promise<{ url: string; expiresAt: Date }> {
  const { token, expiresAt } = await createLoginToken(server.database, server.tenants, {
    tenantId: options.tenantId,
    operator: options.operator,
    ttlMs: options.ttlMs ?? CONSOLE_TIMING_DEFAULTS.loginLinkTtlMs,
  });
  return { url: `${options.baseUrl.replace(/\/+$/, "")}/console/#login=${token}`, expiresAt: new Date(expiresAt) };
}
