import type { FastifyRequest } from "fastify";
import { internalState } from "./internal-state.js";
import "./types.js";

export const notRegistered = (): Error =>
  new Error("HelloJohn plugin is not registered: call fastify.register(hellojohn) before routes that use request.hj");

/**
 * The verified session of `request`, or `null`. Throws when the plugin is not registered.
 *
 * @example
 * ```ts
 * const auth = getAuth(request);
 * ```
 */
export function getAuth(request: FastifyRequest): FastifyRequest["hj"]["auth"] {
  const state = internalState(request);
  if (state === undefined) throw notRegistered();
  return state.auth;
}
