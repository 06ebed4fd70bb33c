import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { parameters, type Wire } from "../contract/schemas.js";
import {
  fromWireImpersonate,
  fromWireUpdateUser,
  wireAuditEvent,
  wireDeleted,
  wireImpersonation,
  wireMembershipsPage,
  wireOrganization,
  wireOrganizationsPage,
  wireSession,
  wireUser,
  wireUserExport,
  wireUserMembership,
  wireWebhookDeliveriesPage,
  wireWebhookEndpointsPage,
} from "../contract/wire.js";
import type { PageQuery } from "../domain/cursor.js";
import { ApiError } from "../domain/api-error.js";
import { jsonStream } from "../http/json-stream.js";
import type { OrganizationsService } from "../services/organizations.service.js";
import type { RequestContext } from "../services/context.js";
import type { UsersService } from "../services/users.service.js";
import type { WebhooksService } from "../services/webhooks.service.js";
import { loadConsoleAssets } from "./console-assets.js";
import type { ConsoleCaller, ConsoleService, UserDetail } from "./console.service.js";

/** What the console routes call: the same services the API uses, plus the console's own. */
export interface ConsoleRouteDeps {
  console: ConsoleService;
  users: UsersService;
  organizations: OrganizationsService;
  webhooks: WebhooksService;
}

export const CONSOLE_COOKIE = "hj_console";

/** Everything the console page may load comes from this server: no CDN, no inline script, no framing. */
const PAGE_HEADERS = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "no-referrer",
  "cross-origin-opener-policy": "same-origin",
  "cross-origin-resource-policy": "same-origin",
};

function readCookie(request: FastifyRequest, name: string): string | undefined {
  for (const part of (request.headers.cookie ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sessionCookie(request: FastifyRequest, value: string, maxAgeSeconds: number): string {
  const secure = request.protocol === "https" ? "; Secure" : "";
  return `${CONSOLE_COOKIE}=${value}; Path=/console; HttpOnly; SameSite=Strict; Max-Age=${maxAgeSeconds}${secure}`;
}

/** Compares two equal-length ASCII strings without an early exit. */
function sameToken(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** The user page as the console reads it (the API's wire format for each part). */
const wireUserDetail = (detail: UserDetail) => ({
  user: wireUser(detail.user),
  sessions: detail.sessions.map((session) => wireSession(session)),
  memberships: detail.memberships.map(wireUserMembership),
  audit_events: detail.auditEvents.map(wireAuditEvent),
});

/** The users list's query, validated by its schema below. */
interface UsersQuery extends PageQuery {
  search?: string;
  status?: "active" | "disabled";
  org_id?: string;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
const userIdParam = { type: "object", properties: { user_id: parameters.userId.schema }, required: ["user_id"], additionalProperties: false };
const noBody = { type: "object", additionalProperties: false };

/**
 * Registers the admin console: its static bundle at `/console` and its JSON
 * API under `/console/api`, authenticated by an HttpOnly SameSite=Strict
 * session cookie, with a CSRF token on every state-changing request. Every
 * action runs through the API's services with the operator as the audited actor.
 */
export function registerConsole(app: FastifyInstance, deps: ConsoleRouteDeps, options: { maxAgeMs: number }): void {
  const assets = loadConsoleAssets();
  const page = (reply: FastifyReply) => {
    const index = assets?.get("index.html");
    if (index === undefined) throw new ApiError(503, "console_not_built", "The console bundle is missing: build @hellojohn/console-ui and @hellojohn/server");
    return reply
      .headers({ ...PAGE_HEADERS, "cache-control": "no-store" })
      .type(index.type)
      .send(index.body);
  };
  app.get("/console", async (_request, reply) => page(reply));
  app.get("/console/", async (_request, reply) => page(reply));
  app.get("/console/assets/:file", async (request, reply) => {
    const asset = assets?.get(`assets/${(request.params as { file: string }).file}`);
    if (asset === undefined) throw new ApiError(404, "route_not_found", "No such console asset");
    // File names carry a content hash, so they never change.
    return reply
      .headers({ ...PAGE_HEADERS, "cache-control": "public, max-age=31536000, immutable" })
      .type(asset.type)
      .send(asset.body);
  });

  const callers = new WeakMap<FastifyRequest, ConsoleCaller>();
  const context = (request: FastifyRequest): RequestContext => {
    const caller = callers.get(request);
    if (caller === undefined) throw new ApiError(401, "console_session_required", "Sign in to the console");
    const ua = request.headers["user-agent"];
    return { tenantId: caller.tenantId, actor: { type: "operator", id: caller.operator }, ip: request.ip ?? null, userAgent: typeof ua === "string" ? ua.slice(0, 512) : null };
  };

  app.register(
    async (api) => {
      api.addHook("onRequest", async (request, reply) => {
        reply.header("cache-control", "no-store");
        if (request.routeOptions.url === "/console/api/login") return;
        const caller = await deps.console.authenticate(readCookie(request, CONSOLE_COOKIE));
        if (!SAFE_METHODS.has(request.method)) {
          const presented = request.headers["x-csrf-token"];
          if (typeof presented !== "string" || !sameToken(presented, caller.csrfToken)) {
            throw new ApiError(403, "csrf_token_invalid", "This console request lacks a valid X-CSRF-Token header");
          }
        }
        callers.set(request, caller);
      });

      api.post(
        "/login",
        { schema: { body: { type: "object", properties: { token: { type: "string", maxLength: 200 } }, required: ["token"], additionalProperties: false } } },
        async (request, reply) => {
          const ua = request.headers["user-agent"];
          const { sessionToken, caller } = await deps.console.signIn(
            (request.body as { token: string }).token,
            request.ip ?? null,
            typeof ua === "string" ? ua.slice(0, 512) : null,
          );
          reply.header("set-cookie", sessionCookie(request, sessionToken, Math.floor(options.maxAgeMs / 1000)));
          return { operator: caller.operator, tenant_id: caller.tenantId, csrf_token: caller.csrfToken };
        },
      );
      api.get("/session", async (request) => {
        const caller = callers.get(request) as ConsoleCaller;
        return { operator: caller.operator, tenant_id: caller.tenantId, csrf_token: caller.csrfToken };
      });
      api.post("/logout", { schema: { body: noBody } }, async (request, reply) => {
        await deps.console.signOut(callers.get(request) as ConsoleCaller);
        reply.header("set-cookie", sessionCookie(request, "", 0));
        return { signed_out: true };
      });

      const listQuery = {
        type: "object",
        properties: {
          limit: parameters.limit.schema,
          cursor: parameters.cursor.schema,
          search: parameters.search.schema,
          status: parameters.status.schema,
          org_id: parameters.orgFilter.schema,
        },
        additionalProperties: false,
      };
      // A search keystroke asks for the page and the total at once, as two requests: the page answers
      // without counting (`total: null`), and the exact total follows from /users/count, so a term with
      // many matches never delays the rows. The public API's list still answers both in one.
      api.get("/users", { schema: { querystring: listQuery } }, async (request) => {
        const query = request.query as UsersQuery;
        const page = await deps.users.listPage(context(request), { limit: query.limit, cursor: query.cursor, search: query.search, status: query.status, orgId: query.org_id });
        return { data: page.items.map(wireUser), next_cursor: page.nextCursor, total: null };
      });
      const countQuery = {
        type: "object",
        properties: { search: parameters.search.schema, status: parameters.status.schema, org_id: parameters.orgFilter.schema },
        additionalProperties: false,
      };
      api.get("/users/count", { schema: { querystring: countQuery } }, async (request, reply) => {
        const query = request.query as UsersQuery;
        // The next keystroke abandons this count: once the browser drops the request, a count still
        // waiting for the count lane is dropped too instead of running for nobody.
        const abandoned = new AbortController();
        reply.raw.on("close", () => {
          if (!reply.raw.writableFinished) abandoned.abort();
        });
        try {
          const total = await deps.users.count(context(request), { search: query.search, status: query.status, orgId: query.org_id }, abandoned.signal);
          return { total };
        } catch (error) {
          if (!abandoned.signal.aborted) throw error;
          // Nobody is left to answer.
          reply.hijack();
          reply.raw.destroy();
          return reply;
        }
      });
      api.get("/users/:user_id", { schema: { params: userIdParam } }, async (request) =>
        wireUserDetail(await deps.console.userDetail(context(request), (request.params as { user_id: string }).user_id)),
      );
      api.patch("/users/:user_id", { schema: { params: userIdParam, body: { $ref: "UpdateUserRequest#" } } }, async (request) =>
        wireUser(await deps.users.update(context(request), (request.params as { user_id: string }).user_id, fromWireUpdateUser(request.body as Wire<"UpdateUserRequest">))),
      );
      api.post("/users/:user_id/disable", { schema: { params: userIdParam, body: noBody } }, async (request) =>
        wireUser(await deps.users.disable(context(request), (request.params as { user_id: string }).user_id)),
      );
      api.post("/users/:user_id/enable", { schema: { params: userIdParam, body: noBody } }, async (request) =>
        wireUser(await deps.users.enable(context(request), (request.params as { user_id: string }).user_id)),
      );
      api.post("/users/:user_id/impersonate", { schema: { params: userIdParam, body: { $ref: "ImpersonateRequest#" } } }, async (request, reply) => {
        const userId = (request.params as { user_id: string }).user_id;
        const token = await deps.users.impersonate(context(request), userId, fromWireImpersonate(request.body as Wire<"ImpersonateRequest">));
        return reply.code(201).send(wireImpersonation(token));
      });
      // A POST, not a GET: exporting is audited, and so must carry the CSRF token.
      api.post("/users/:user_id/export", { schema: { params: userIdParam, body: noBody } }, async (request, reply) => {
        const userId = (request.params as { user_id: string }).user_id;
        const exported = wireUserExport(await deps.users.export(context(request), userId));
        return reply.type("application/json").header("content-disposition", `attachment; filename="${userId}.json"`).send(jsonStream(exported.document));
      });
      api.delete("/users/:user_id", { schema: { params: userIdParam } }, async (request) =>
        wireDeleted(await deps.users.delete(context(request), (request.params as { user_id: string }).user_id)),
      );
      api.post(
        "/users/:user_id/sessions/:session_id/revoke",
        {
          schema: {
            params: {
              type: "object",
              properties: { user_id: parameters.userId.schema, session_id: parameters.sessionId.schema },
              required: ["user_id", "session_id"],
              additionalProperties: false,
            },
            body: noBody,
          },
        },
        async (request) => {
          const { user_id, session_id } = request.params as { user_id: string; session_id: string };
          return wireSession(await deps.console.revokeSession(context(request), user_id, session_id));
        },
      );
      api.get(
        "/organizations",
        { schema: { querystring: { type: "object", properties: { limit: parameters.limit.schema, cursor: parameters.cursor.schema }, additionalProperties: false } } },
        async (request) => wireOrganizationsPage(await deps.organizations.list(context(request), request.query as PageQuery)),
      );
      api.get(
        "/organizations/:org_id",
        {
          schema: {
            params: { type: "object", properties: { org_id: parameters.orgId.schema }, required: ["org_id"], additionalProperties: false },
            querystring: { type: "object", properties: { limit: parameters.limit.schema, cursor: parameters.cursor.schema }, additionalProperties: false },
          },
        },
        async (request) => {
          const orgId = (request.params as { org_id: string }).org_id;
          const ctx = context(request);
          const [organization, members] = await Promise.all([deps.organizations.get(ctx, orgId), deps.organizations.listMembers(ctx, orgId, request.query as PageQuery)]);
          return { organization: wireOrganization(organization), members: wireMembershipsPage(members) };
        },
      );
      const pageQuery = { type: "object", properties: { limit: parameters.limit.schema, cursor: parameters.cursor.schema }, additionalProperties: false };
      api.get("/webhooks", { schema: { querystring: pageQuery } }, async (request) =>
        wireWebhookEndpointsPage(await deps.webhooks.list(context(request), request.query as PageQuery)),
      );
      api.get(
        "/webhooks/:endpoint_id/deliveries",
        {
          schema: {
            params: { type: "object", properties: { endpoint_id: parameters.endpointId.schema }, required: ["endpoint_id"], additionalProperties: false },
            querystring: pageQuery,
          },
        },
        async (request) =>
          wireWebhookDeliveriesPage(await deps.webhooks.listDeliveries(context(request), (request.params as { endpoint_id: string }).endpoint_id, request.query as PageQuery)),
      );
    },
    { prefix: "/console/api" },
  );
}
