import { RequestState } from "@hellojohn/node";
import type { FastifyRequest } from "fastify";
import "./types.js";

export const notRegistered = (): Error => new Error("HelloJohn plugin is not registered: call fastify.register(hellojohn) before routes that use request.hj");

/**
 * The verified session of `request`, or `null`. Throws when the plugin is not registered.
 *
 * @example
 * ```ts
 * const auth = getAuth(request);
 * ```
 */
export function getAuth(request: FastifyRequest): FastifyRequest["hj"]["auth"] {
  const state = RequestState.of(request);
  if (state === undefined) throw notRegistered();
  return state.auth;
}
