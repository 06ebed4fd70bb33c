import type { FastifyInstance, FastifyRequest } from "fastify";
import type { Limits } from "../limits/limits.js";
import type { RequestContext } from "../services/context.js";
import type { TenantsService } from "../services/tenants.service.js";
import type { Idempotency, IdempotencyClaim } from "./idempotency.js";
import { checkQuery, checkRequestPart } from "./input-guard.js";
import { tenantFromPath } from "./routes.js";

// The request lifecycle around every handler: who is calling, the input
// guard, and the Idempotency-Key claim and its outcome.

declare module "fastify" {
  interface FastifyRequest {
    /** The authenticated admin caller, set before the body is read. */
    hjContext: RequestContext | null;
    hjIdempotency: IdempotencyClaim | null;
  }
  interface FastifyContextConfig {
    idempotent?: boolean;
    secretKey?: boolean;
  }
}

/** The caller's context: tenant, actor, IP and (truncated) user agent. */
export function requestContext(request: FastifyRequest, tenantId: string, actor: RequestContext["actor"]): RequestContext {
  const ua = request.headers["user-agent"];
  return { tenantId, actor, ip: request.ip ?? null, userAgent: typeof ua === "string" ? ua.slice(0, 512) : null };
}

/** The credentials of `Authorization: Bearer …`; the scheme is case-insensitive (RFC 9110 §11.1). */
function bearer(request: FastifyRequest): string | undefined {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? "");
  return match?.[1];
}

/** Authenticates an admin request by its tenant ID header and secret key. */
export function authenticator(tenants: TenantsService): (request: FastifyRequest) => Promise<RequestContext> {
  return async (request) => {
    const tenantHeader = request.headers["hellojohn-tenant-id"];
    const principal = await tenants.authenticate(typeof tenantHeader === "string" ? tenantHeader : undefined, bearer(request));
    return requestContext(request, principal.tenantId, { type: "api_key", id: principal.keyId });
  };
}

/** The context of an end-user endpoint: anonymous, in the tenant its path names. */
export function publicContext(request: FastifyRequest): RequestContext {
  const tenantId = (request.params as { tenant_id?: string }).tenant_id === undefined ? "" : tenantFromPath(request);
  return requestContext(request, tenantId, { type: "anonymous", id: null });
}

/** What the hooks need. */
export interface HookDeps {
  authenticate: (request: FastifyRequest) => Promise<RequestContext>;
  limits: Limits;
  idempotency: Idempotency;
}

/** Registers the request hooks: authentication and rate limit, input guard, idempotency claim and outcome. */
export function registerHooks(app: FastifyInstance, deps: HookDeps): void {
  app.decorateRequest("hjContext", null);
  app.decorateRequest("hjIdempotency", null);
  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    // Authenticate before the body is read: an unauthenticated caller costs no parsing.
    if (request.routeOptions.config?.secretKey === true) {
      request.hjContext = await deps.authenticate(request);
      reply.headers(await deps.limits.adminApi.take(request.hjContext.actor.id ?? ""));
    }
  });
  // Before validation, fingerprints or anything else recurses over or stores the input.
  app.addHook("preValidation", async (request) => {
    checkRequestPart(request.params, "path");
    checkQuery(request.query);
    checkRequestPart(request.body, "body");
  });
  app.addHook("preHandler", async (request, reply) => {
    if (request.routeOptions.config?.idempotent !== true || request.hjContext === null) return;
    const claim = await deps.idempotency.begin(request, reply, request.hjContext.tenantId);
    if (claim !== undefined) request.hjIdempotency = claim;
    else if (reply.sent) return reply;
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const claim = request.hjIdempotency;
    if (claim !== null) {
      request.hjIdempotency = null;
      await deps.idempotency.finish(claim, reply.statusCode, payload);
    }
    return payload;
  });
}
