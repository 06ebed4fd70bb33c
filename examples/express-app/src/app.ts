import express, { type ErrorRequestHandler, type RequestHandler } from "express";
import { errorResponse, getAuth, hellojohn, hellojohnWebhook, isHelloJohnError, requireAuth, type HelloJohn, type VerifiedToken } from "@hellojohn/express";
import { LocalUsers } from "./local-users.js";

export const SESSION_COOKIE = "hj_session";

const badRequest = (message: string, param: string) => ({ error: { type: "validation_error", code: "invalid_request", message, param } });

/** Admin routes need a real (not impersonated) session of a user whose metadata says `role: "admin"`. */
const requireAdmin: RequestHandler = async (req, res, next) => {
  const auth = getAuth(req) as VerifiedToken;
  const user = auth.impersonator === null ? await req.hj.users.get(auth.userId) : null;
  if (user?.metadata.role !== "admin") {
    res.status(403).json({ error: { type: "permission_error", code: "admin_required", message: "This route is for administrators" } });
    return;
  }
  next();
};

/** HelloJohn's errors keep their status and code; anything else is a plain 500. */
const errorHandler: ErrorRequestHandler = (error, _req, res, next) => {
  if (isHelloJohnError(error)) {
    const { status, headers, body } = errorResponse(error);
    res.status(status).set(headers).json(body);
    return;
  }
  if ((error as { type?: string }).type === "entity.parse.failed") {
    res.status(400).json(badRequest("Body is not valid JSON", "body"));
    return;
  }
  next(error);
};

/** Options of {@link createApp}. */
export interface AppOptions {
  /** The signing secret of the HelloJohn webhook endpoint pointing at `/webhooks/hellojohn`; no webhook route without it. */
  webhookSecret?: string;
  /** The table the webhook keeps in sync. Default: a new one. */
  localUsers?: LocalUsers;
}

/**
 * The app: sign-in through HelloJohn, `/me`, and admin routes, all calling the
 * SDK through `req.hj`; and a webhook route that keeps its own users table in
 * sync from HelloJohn's events.
 */
export function createApp(client: HelloJohn, options: AppOptions = {}): express.Express {
  const app = express();
  if (options.webhookSecret !== undefined) {
    const localUsers = options.localUsers ?? new LocalUsers();
    // Before express.json(): the signature is over the raw bytes, so this route gets them raw.
    app.post("/webhooks/hellojohn", express.raw({ type: "application/json" }), hellojohnWebhook({ secret: options.webhookSecret, onEvent: (event) => localUsers.apply(event) }));
  }
  app.use(express.json());
  app.use(hellojohn({ client, cookieName: SESSION_COOKIE }));

  app.post("/auth/sign-in", async (req, res) => {
    const { email, password, organizationId } = (req.body ?? {}) as { email?: unknown; password?: unknown; organizationId?: unknown };
    if (typeof email !== "string" || typeof password !== "string") {
      res.status(400).json(badRequest("email and password are required strings", typeof email !== "string" ? "email" : "password"));
      return;
    }
    if (organizationId !== undefined && typeof organizationId !== "string") {
      res.status(400).json(badRequest("organizationId must be a string", "organizationId"));
      return;
    }
    // With an organization, the session's tokens carry the user's role in it (org_id, org_role).
    const session = await req.hj.client.sessions.signInWithPassword({ email, password, organizationId });
    res.cookie(SESSION_COOKIE, session.accessToken, { httpOnly: true, sameSite: "lax", expires: session.expiresAt });
    res.json({ user: session.user, accessToken: session.accessToken, refreshToken: session.refreshToken, expiresAt: session.expiresAt });
  });

  // Refreshing re-reads the user's role: a promotion or a removal shows in the new token.
  app.post("/auth/refresh", async (req, res) => {
    const { refreshToken } = (req.body ?? {}) as { refreshToken?: unknown };
    if (typeof refreshToken !== "string") {
      res.status(400).json(badRequest("refreshToken is required", "refreshToken"));
      return;
    }
    const tokens = await req.hj.client.sessions.refresh(refreshToken);
    res.cookie(SESSION_COOKIE, tokens.accessToken, { httpOnly: true, sameSite: "lax", expires: tokens.expiresAt });
    res.json({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt });
  });

  app.post("/auth/sign-out", requireAuth(), async (req, res) => {
    const { refreshToken } = (req.body ?? {}) as { refreshToken?: unknown };
    if (typeof refreshToken !== "string") {
      res.status(400).json(badRequest("refreshToken is required", "refreshToken"));
      return;
    }
    const result = await req.hj.client.sessions.signOut(refreshToken);
    res.clearCookie(SESSION_COOKIE).json(result);
  });

  // checkRevoked: a disabled user or a signed-out session is refused at once, not at token expiry.
  app.get("/me", requireAuth({ checkRevoked: true }), async (req, res) => {
    res.json(await req.hj.users.get((getAuth(req) as VerifiedToken).userId));
  });

  // Changing your own password keeps this session and signs every other one out.
  // (A production app would also ask for the current password, or a recent sign-in.)
  app.post("/me/password", requireAuth({ checkRevoked: true }), async (req, res) => {
    const { password } = (req.body ?? {}) as { password?: unknown };
    if (typeof password !== "string") {
      res.status(400).json(badRequest("password is required", "password"));
      return;
    }
    const { userId, sessionId } = getAuth(req) as VerifiedToken;
    await req.hj.users.update(userId, { password, revokeSessions: false });
    let revoked = 0;
    for await (const session of req.hj.users.listSessions(userId)) {
      if (session.status !== "active" || session.id === sessionId) continue;
      await req.hj.users.revokeSession(userId, session.id);
      revoked++;
    }
    res.json({ revokedSessions: revoked });
  });

  // For organization admins only: the role comes from the session's token (org_role).
  app.get("/org/members", requireAuth({ role: "admin", checkRevoked: true }), async (req, res) => {
    res.json(await req.hj.organizations.listMembers((getAuth(req) as VerifiedToken).orgId as string));
  });

  const admin = express.Router();
  admin.use(requireAuth({ checkRevoked: true }), requireAdmin);

  admin.get("/users", async (req, res) => {
    const { search, status, cursor, limit } = req.query as Record<string, string | undefined>;
    if (status !== undefined && status !== "active" && status !== "disabled") {
      res.status(400).json(badRequest('status must be "active" or "disabled"', "status"));
      return;
    }
    if (limit !== undefined && !/^\d+$/.test(limit)) {
      res.status(400).json(badRequest("limit must be a whole number", "limit"));
      return;
    }
    res.json(await req.hj.users.list({ search, status, cursor, limit: limit === undefined ? undefined : Number(limit) }));
  });

  admin.patch("/users/:id/metadata", async (req, res) => {
    const { metadata } = (req.body ?? {}) as { metadata?: unknown };
    if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
      res.status(400).json(badRequest("metadata must be an object", "metadata"));
      return;
    }
    res.json(await req.hj.users.update(String(req.params.id), { metadata: metadata as Record<string, never> }));
  });

  admin.post("/users/:id/disable", async (req, res) => {
    res.json(await req.hj.users.disable(String(req.params.id)));
  });

  admin.post("/users/:id/enable", async (req, res) => {
    res.json(await req.hj.users.enable(String(req.params.id)));
  });

  admin.post("/users/:id/impersonate", async (req, res) => {
    const { reason, expiresIn } = (req.body ?? {}) as { reason?: unknown; expiresIn?: unknown };
    if (typeof reason !== "string") {
      res.status(400).json(badRequest("reason is required", "reason"));
      return;
    }
    res.json(await req.hj.users.impersonate(String(req.params.id), { reason, expiresIn: expiresIn as never }));
  });

  admin.get("/users/:id/export", async (req, res) => {
    res.json(await req.hj.users.export(String(req.params.id)));
  });

  app.use("/admin", admin);
  app.use(errorHandler);
  return app;
}
