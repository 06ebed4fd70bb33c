import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from "fastify";
import { errorResponse, hellojohn, hellojohnWebhook, isHelloJohnError, requireAuth, type HelloJohn, type MetadataValue, type VerifiedToken } from "@hellojohn/fastify";
import { LocalUsers } from "./local-users.js";

export const SESSION_COOKIE = "hj_session";

const idParams = { type: "object", required: ["id"], properties: { id: { type: "string" } } } as const;

/** Admin routes need a real (not impersonated) session of a user whose metadata says `role: "admin"`. */
async function requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const auth = request.hj.auth;
  const user = auth !== null && auth.impersonator === null ? await request.hj.users.get(auth.userId) : null;
  if (user?.metadata.role !== "admin") {
    await reply.code(403).send({ error: { type: "permission_error", code: "admin_required", message: "This route is for administrators" } });
  }
}

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The signing secret of the HelloJohn webhook endpoint pointing at `/webhooks/hellojohn`; no webhook route without it. */
  webhookSecret?: string;
  /** The table the webhook keeps in sync. Default: a new one. */
  localUsers?: LocalUsers;
}

/**
 * The app: sign-in through HelloJohn, `/me`, and admin routes, all calling the
 * SDK through `request.hj`; and a webhook route that keeps its own users
 * table in sync from HelloJohn's events.
 */
export async function createApp(client: HelloJohn, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(hellojohn, { client, cookieName: SESSION_COOKIE });
  if (options.webhookSecret !== undefined) {
    const localUsers = options.localUsers ?? new LocalUsers();
    // The plugin parses its route's body as raw bytes (what was signed); the other routes keep JSON.
    await app.register(hellojohnWebhook, { path: "/webhooks/hellojohn", secret: options.webhookSecret, onEvent: (event) => localUsers.apply(event) });
  }

  app.setErrorHandler((error, _request, reply) => {
    if (isHelloJohnError(error)) {
      const { status, headers, body } = errorResponse(error);
      return reply.code(status).headers(headers).send(body);
    }
    const { statusCode, message, validation } = error as { statusCode?: number; message: string; validation?: unknown };
    if (validation !== undefined || statusCode === 400) {
      return reply.code(400).send({ error: { type: "validation_error", code: "invalid_request", message } });
    }
    return reply.code(statusCode ?? 500).send({ error: { type: "api_error", code: "internal_error", message: "Internal error" } });
  });

  app.post<{ Body: { email: string; password: string; organizationId?: string } }>(
    "/auth/sign-in",
    {
      schema: {
        body: {
          type: "object",
          required: ["email", "password"],
          additionalProperties: false,
          properties: { email: { type: "string" }, password: { type: "string" }, organizationId: { type: "string" } },
        },
      },
    },
    async (request, reply) => {
      // With an organization, the session's tokens carry the user's role in it (org_id, org_role).
      const session = await request.hj.client.sessions.signInWithPassword(request.body);
      const cookie = `${SESSION_COOKIE}=${session.accessToken}; Path=/; HttpOnly; SameSite=Lax; Expires=${session.expiresAt.toUTCString()}`;
      reply.header("set-cookie", cookie);
      return { user: session.user, accessToken: session.accessToken, refreshToken: session.refreshToken, expiresAt: session.expiresAt };
    },
  );

  // Refreshing re-reads the user's role: a promotion or a removal shows in the new token.
  app.post<{ Body: { refreshToken: string } }>(
    "/auth/refresh",
    { schema: { body: { type: "object", required: ["refreshToken"], properties: { refreshToken: { type: "string" } } } } },
    async (request, reply) => {
      const tokens = await request.hj.client.sessions.refresh(request.body.refreshToken);
      reply.header("set-cookie", `${SESSION_COOKIE}=${tokens.accessToken}; Path=/; HttpOnly; SameSite=Lax; Expires=${tokens.expiresAt.toUTCString()}`);
      return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt };
    },
  );

  app.post<{ Body: { refreshToken: string } }>(
    "/auth/sign-out",
    {
      onRequest: requireAuth(),
      schema: { body: { type: "object", required: ["refreshToken"], properties: { refreshToken: { type: "string" } } } },
    },
    async (request, reply) => {
      const result = await request.hj.client.sessions.signOut(request.body.refreshToken);
      reply.header("set-cookie", `${SESSION_COOKIE}=; Path=/; HttpOnly; Max-Age=0`);
      return result;
    },
  );

  // checkRevoked: a disabled user or a signed-out session is refused at once, not at token expiry.
  app.get("/me", { onRequest: requireAuth({ checkRevoked: true }) }, async (request) => request.hj.users.get(request.hj.auth?.userId as string));

  // Changing your own password keeps this session and signs every other one out.
  // (A production app would also ask for the current password, or a recent sign-in.)
  app.post<{ Body: { password: string } }>(
    "/me/password",
    {
      onRequest: requireAuth({ checkRevoked: true }),
      schema: { body: { type: "object", required: ["password"], properties: { password: { type: "string" } } } },
    },
    async (request) => {
      const { userId, sessionId } = request.hj.auth as VerifiedToken;
      await request.hj.users.update(userId, { password: request.body.password, revokeSessions: false });
      let revoked = 0;
      for await (const session of request.hj.users.listSessions(userId)) {
        if (session.status !== "active" || session.id === sessionId) continue;
        await request.hj.users.revokeSession(userId, session.id);
        revoked++;
      }
      return { revokedSessions: revoked };
    },
  );

  // For organization admins only: the role comes from the session's token (org_role).
  app.get("/org/members", { onRequest: requireAuth({ role: "admin", checkRevoked: true }) }, async (request) =>
    request.hj.organizations.listMembers(request.hj.auth?.orgId as string),
  );

  await app.register(
    async (admin) => {
      admin.addHook("onRequest", requireAuth({ checkRevoked: true }));
      admin.addHook("onRequest", requireAdmin);

      admin.get<{ Querystring: { search?: string; status?: "active" | "disabled"; cursor?: string; limit?: number } }>(
        "/users",
        {
          schema: {
            querystring: {
              type: "object",
              additionalProperties: false,
              properties: {
                search: { type: "string" },
                status: { type: "string", enum: ["active", "disabled"] },
                cursor: { type: "string" },
                limit: { type: "integer" },
              },
            },
          },
        },
        async (request) => request.hj.users.list(request.query),
      );

      admin.patch<{ Params: { id: string }; Body: { metadata: Record<string, MetadataValue> } }>(
        "/users/:id/metadata",
        { schema: { params: idParams, body: { type: "object", required: ["metadata"], properties: { metadata: { type: "object" } } } } },
        async (request) => request.hj.users.update(request.params.id, { metadata: request.body.metadata }),
      );

      admin.post<{ Params: { id: string } }>("/users/:id/disable", { schema: { params: idParams } }, async (request) => request.hj.users.disable(request.params.id));

      admin.post<{ Params: { id: string } }>("/users/:id/enable", { schema: { params: idParams } }, async (request) => request.hj.users.enable(request.params.id));

      admin.post<{ Params: { id: string }; Body: { reason: string; expiresIn?: string | number } }>(
        "/users/:id/impersonate",
        {
          schema: {
            params: idParams,
            body: {
              type: "object",
              required: ["reason"],
              properties: { reason: { type: "string" }, expiresIn: { anyOf: [{ type: "string" }, { type: "integer" }] } },
            },
          },
        },
        async (request) => request.hj.users.impersonate(request.params.id, { reason: request.body.reason, expiresIn: request.body.expiresIn as never }),
      );

      admin.get<{ Params: { id: string } }>("/users/:id/export", { schema: { params: idParams } }, async (request) => request.hj.users.export(request.params.id));
    },
    { prefix: "/admin" },
  );
  return app;
}
