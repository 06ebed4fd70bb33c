import Fastify, { type FastifyInstance, type FastifyRequest } from "fastify";
import { openApiDocument } from "./contract/openapi.js";
import { schemas } from "./contract/schemas.js";
import { newId } from "./crypto/ids.js";
import { MasterKey } from "./crypto/master-key.js";
import { OWASP_ARGON2ID, PasswordHasher, TEST_ONLY_ARGON2ID, type PasswordHashingOptions } from "./crypto/passwords.js";
import { ApiError } from "./domain/api-error.js";
import { CursorCodec } from "./domain/cursor.js";
import { errorHandler, sendError } from "./http/error-handler.js";
import { requestValidators } from "./http/request-validators.js";
import { Idempotency, type IdempotencyClaim } from "./http/idempotency.js";
import { Limits, type LimitsStatus } from "./limits/limits.js";
import type { LimitsOptions } from "./limits/limits-options.js";
import { checkQuery, checkRequestPart, parseQueryString } from "./http/input-guard.js";
import { registerRoutes, tenantFromPath, toFastifyRefs, type Handlers } from "./http/routes.js";
import { AuditLog } from "./services/audit-log.js";
import { AuthService } from "./services/auth.service.js";
import type { RequestContext } from "./services/context.js";
import { OrganizationContext } from "./services/organization-context.js";
import { OrganizationsService } from "./services/organizations.service.js";
import { TenantsService } from "./services/tenants.service.js";
import { TokenIssuer } from "./services/token-issuer.js";
import { Retention, type SweepResult } from "./services/retention.js";
import { UsersService } from "./services/users.service.js";
import { UserTransferService } from "./services/user-transfer.service.js";
import { DEFAULT_EVENT_RETENTION_MS, EventsService } from "./services/events.service.js";
import { DEFAULT_RETRY_SCHEDULE, WebhookDeliveryWorker } from "./services/webhook-delivery.js";
import { WebhookSender } from "./services/webhook-sender.js";
import { WebhooksService } from "./services/webhooks.service.js";
import { EventsStore } from "./store/events.store.js";
import { WebhooksStore } from "./store/webhooks.store.js";
import { AuditStore } from "./store/audit.store.js";
import { CredentialsStore } from "./store/credentials.store.js";
import { Database } from "./store/database.js";
import { IdempotencyStore } from "./store/idempotency.store.js";
import { OrganizationsStore } from "./store/organizations.store.js";
import { SessionsStore } from "./store/sessions.store.js";
import { TenantsStore } from "./store/tenants.store.js";
import { UsersStore } from "./store/users.store.js";
import { UserTransferStore } from "./store/user-transfer.store.js";
import { mountConsole, type ConsoleOption } from "./console/mount-console.js";

declare const __SERVER_VERSION__: string;
/** This package's version. */
// Defined by the build (and the test config); sources run directly (tsx, benches) have no version.
export const VERSION: string = typeof __SERVER_VERSION__ === "string" ? __SERVER_VERSION__ : "0.0.0-source";

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

/** Options of {@link createServer}. */
export interface ServerOptions {
  /** `sqlite::memory:`, `sqlite:./file.db`, a file path, or `postgres://…`. Default `sqlite::memory:`. */
  databaseUrl?: string;
  /** 32 bytes as 64 hex characters or base64: encrypts signing keys at rest and signs cursors. */
  masterKey: string;
  /** The origin clients use to reach this server; token `iss` is `${publicUrl}/v1/tenants/${tenantId}`. Default: the listening address. */
  publicUrl?: string;
  /**
   * Argon2id cost. Default: OWASP's (m = 19 MiB, t = 2, p = 1). `"unsafe-test-only"`
   * makes hashing fast and weak, for test suites only.
   */
  passwordHashing?: PasswordHashingOptions | "unsafe-test-only";
  /** Fastify logger: `false` (default), `true`, or pino options. Authorization headers are never logged. */
  logger?: boolean | Record<string, unknown>;
  /**
   * Whether the client IP (audit events, sign-in throttling) comes from `X-Forwarded-For`.
   * Default `false`: the socket's address. `true` trusts one proxy hop (the address your
   * proxy saw); a number trusts that many hops; a string lists the proxies' addresses or
   * CIDRs (comma-separated). Set it only behind a proxy that sets the header: otherwise
   * clients choose their own IP and escape per-IP limits.
   */
  trustProxy?: boolean | number | string;
  /**
   * `redis://…`: every limit is shared by all instances through this Redis. Without it,
   * limits live in each instance's memory. If Redis becomes unreachable the server keeps
   * serving: sign-in limits fall back to memory, admin API limits let calls through.
   */
  redisUrl?: string;
  /** Prefix of every Redis key the limits write. Default `hellojohn:`. */
  redisKeyPrefix?: string;
  /** Sign-in throttling, admin API rate limits and password hashing admission control. */
  limits?: LimitsOptions;
  /** Largest accepted request body in bytes. Default 64 KiB. */
  bodyLimit?: number;
  /** How long a client may take to send a request's headers, in ms. Default 10 s. */
  headersTimeoutMs?: number;
  /** How long a client may take to send a whole request, headers and body, in ms. Default 30 s. */
  requestTimeoutMs?: number;
  /** A socket with no traffic for this long is closed, in ms. Default 60 s. */
  idleTimeoutMs?: number;
  /** How long an idle keep-alive connection stays open between requests, in ms. Default 72 s (longer than common load balancers' 60 s). */
  keepAliveTimeoutMs?: number;
  /** Most open connections at once; more are refused at accept. Default 10,000. */
  maxConnections?: number;
  /** How often expired sessions, refresh tokens and idempotency records are deleted, in ms. Default 10 minutes. */
  sweepIntervalMs?: number;
  /**
   * Serve the admin console at `/console` (sign-in by `hellojohn-server console`
   * login links). `true` for the defaults, or timings in ms: `loginLinkTtlMs`
   * (10 min), `idleTimeoutMs` (30 min), `maxAgeMs` (12 h). Default off; `dev` turns it on.
   */
  console?: ConsoleOption;
  /** Webhook delivery settings. */
  webhooks?: WebhookOptions;
  /** Events feed settings. */
  events?: EventOptions;
}

/** Options of the events feed. */
export interface EventOptions {
  /** How long events (and their webhook deliveries) are kept, in days. Default 30. */
  retentionDays?: number;
  /**
   * Write events at all. Default true. Turning it off leaves the feed and
   * webhooks silent; it exists so benchmarks can measure the outbox's cost.
   */
  enabled?: boolean;
}

/** Options of webhook delivery. */
export interface WebhookOptions {
  /**
   * Allow endpoint URLs that resolve to loopback, private or link-local
   * addresses. Default false (`hellojohn-server start`); `dev` and
   * `startTestServer()` allow them so local apps can receive events.
   */
  allowPrivateNetworks?: boolean;
  /**
   * Milliseconds to wait before each attempt after the previous one; the first
   * entry is the first attempt (normally 0). Default: 0, 5 s, 5 min, 30 min,
   * 2 h, 5 h, 10 h, 14 h, 20 h, 24 h (about three days). A delivery whose every
   * attempt fails, with no other delivery to its endpoint succeeding
   * meanwhile, disables the endpoint.
   */
  retrySchedule?: readonly number[];
  /** Milliseconds one attempt may take. Default 10 000. */
  timeoutMs?: number;
  /** Endpoints this instance delivers to at once. Default 10. */
  concurrency?: number;
  /** How often to look for due deliveries (retries, other instances' events), in ms. Default 1000. */
  pollIntervalMs?: number;
  /** Run the delivery worker in this process. Default true. */
  deliver?: boolean;
}

/** The defaults of {@link ServerOptions}' connection limits. */
export const CONNECTION_DEFAULTS: Readonly<Record<"bodyLimit" | "headersTimeoutMs" | "requestTimeoutMs" | "idleTimeoutMs" | "keepAliveTimeoutMs" | "maxConnections", number>> = {
  bodyLimit: 64 * 1024,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  idleTimeoutMs: 60_000,
  keepAliveTimeoutMs: 72_000,
  maxConnections: 10_000,
};

function definedOnly(options: ServerOptions): Partial<Record<keyof typeof CONNECTION_DEFAULTS, number>> {
  const keys = Object.keys(CONNECTION_DEFAULTS) as (keyof typeof CONNECTION_DEFAULTS)[];
  const out: Partial<Record<keyof typeof CONNECTION_DEFAULTS, number>> = {};
  for (const key of keys) {
    const value = options[key];
    if (value === undefined) continue;
    if (!Number.isInteger(value) || value < 1) throw new Error(`createServer: ${key} must be a positive integer, got ${String(value)}`);
    out[key] = value;
  }
  return out;
}

/** A running (or ready to listen) HelloJohn server. */
export interface HelloJohnServer {
  readonly app: FastifyInstance;
  readonly database: Database;
  readonly tenants: TenantsService;
  /** The limits in force, where they are kept, and the password hashing counters. */
  readonly limits: LimitsStatus;
  /**
   * Bulk import and export of a tenant's users, for the `hellojohn-server users
   * import|export` commands run against the database directly.
   */
  readonly transfer: UserTransferService;
  /**
   * Deletes expired sessions, stale refresh tokens and idempotency records past
   * their replay window now (the server also does it every `sweepIntervalMs`).
   * `now` moves the clock, for tests of retention.
   */
  sweep(options?: { now?: number }): Promise<SweepResult>;
  /** Starts listening; resolves with the base URL. */
  listen(options?: { host?: string; port?: number }): Promise<string>;
  close(): Promise<void>;
}

function requestContext(request: FastifyRequest, tenantId: string, actor: RequestContext["actor"]): RequestContext {
  const ua = request.headers["user-agent"];
  return { tenantId, actor, ip: request.ip ?? null, userAgent: typeof ua === "string" ? ua.slice(0, 512) : null };
}

/**
 * Fastify's `trustProxy` for ours. `true` means one hop, not every hop: trusting
 * every hop would let a client pick its own IP by sending the header itself.
 */
function trustedProxies(option: ServerOptions["trustProxy"]): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (option === undefined || option === false) return false;
  const hops = option === true ? 1 : option;
  if (typeof hops === "number") return (_address, hop) => hop < hops;
  return hops.split(",").map((entry) => entry.trim()).filter((entry) => entry !== "");
}

/** The credentials of `Authorization: Bearer …`; the scheme is case-insensitive (RFC 9110 §11.1). */
function bearer(request: FastifyRequest): string | undefined {
  const match = /^bearer[ \t]+(\S+)[ \t]*$/i.exec(request.headers.authorization ?? "");
  return match?.[1];
}

/**
 * Builds the HelloJohn Users API server: opens and migrates the database,
 * wires route → service → store, and returns it ready to `listen()`.
 *
 * @example
 * ```ts
 * const server = await createServer({ databaseUrl: "postgres://localhost/hellojohn", masterKey: process.env.HELLOJOHN_MASTER_KEY! });
 * const url = await server.listen({ port: 8787 });
 * ```
 */
export async function createServer(options: ServerOptions): Promise<HelloJohnServer> {
  const master = MasterKey.parse(options.masterKey);
  const limits = { ...CONNECTION_DEFAULTS, ...definedOnly(options) };
  const database = await Database.open(options.databaseUrl ?? "sqlite::memory:");
  let publicUrl = options.publicUrl?.replace(/\/+$/, "");

  const stores = {
    users: new UsersStore(database),
    sessions: new SessionsStore(),
    organizations: new OrganizationsStore(database),
    credentials: new CredentialsStore(),
    audit: new AuditStore(),
    tenants: new TenantsStore(),
    idempotency: new IdempotencyStore(),
    events: new EventsStore(),
    webhooks: new WebhooksStore(database),
  };
  const abuseLimits = new Limits({ redisUrl: options.redisUrl, redisKeyPrefix: options.redisKeyPrefix, limits: options.limits });
  const hasher = new PasswordHasher(
    options.passwordHashing === "unsafe-test-only" ? TEST_ONLY_ARGON2ID : (options.passwordHashing ?? OWASP_ARGON2ID),
    abuseLimits.admission,
  );
  const cursors = new CursorCodec(master);
  const audit = new AuditLog(stores.audit);
  const webhookOptions = options.webhooks ?? {};
  const events = new EventsService(
    database,
    stores.events,
    stores.sessions,
    { enabled: options.events?.enabled ?? true, retentionMs: (options.events?.retentionDays ?? DEFAULT_EVENT_RETENTION_MS / 86_400_000) * 86_400_000 },
    (cutoff) => stores.webhooks.purgeBefore(database.db, cutoff),
  );
  const delivery = new WebhookDeliveryWorker(database, stores.webhooks, master, new WebhookSender({ timeoutMs: webhookOptions.timeoutMs ?? 10_000, allowPrivateNetworks: webhookOptions.allowPrivateNetworks ?? false }), {
    retrySchedule: webhookOptions.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
    timeoutMs: webhookOptions.timeoutMs ?? 10_000,
    concurrency: webhookOptions.concurrency ?? 10,
    pollIntervalMs: webhookOptions.pollIntervalMs ?? 1000,
  });
  events.onEmitted((tenantId) => delivery.markEmitted(tenantId));
  const tenants = new TenantsService(database, stores.tenants, master);
  // A wrong master key would otherwise start cleanly and fail at the first sign-in.
  await tenants.checkMasterKey().catch(async (error: unknown) => {
    await database.close();
    throw error;
  });
  const tokens = new TokenIssuer(tenants, () => {
    if (publicUrl === undefined) throw new Error("publicUrl is unknown until the server listens");
    return publicUrl;
  });
  const organizationContext = new OrganizationContext(stores.organizations);
  const users = new UsersService(
    database,
    stores.users,
    stores.sessions,
    stores.organizations,
    stores.credentials,
    stores.audit,
    stores.idempotency,
    audit,
    hasher,
    cursors,
    tokens,
    events,
    organizationContext,
  );
  const transfer = new UserTransferService(database, stores.users, new UserTransferStore(), audit, hasher);
  const organizations = new OrganizationsService(database, stores.organizations, stores.users, audit, cursors, events);
  const auth = new AuthService(database, stores.users, stores.sessions, tenants, audit, hasher, tokens, abuseLimits.signIn, events, organizationContext);
  const webhooks = new WebhooksService(database, stores.webhooks, stores.events, audit, cursors, master, {
    allowPrivateNetworks: webhookOptions.allowPrivateNetworks ?? false,
    onChange: () => delivery.endpointsChanged(),
  });
  const idempotency = new Idempotency(database, stores.idempotency, master);

  const app = Fastify({
    logger: options.logger ?? false,
    trustProxy: trustedProxies(options.trustProxy),
    bodyLimit: limits.bodyLimit,
    requestTimeout: limits.requestTimeoutMs,
    connectionTimeout: limits.idleTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // Node checks the header and request timeouts this often (its default, 30 s, lets slow clients linger).
    http: { headersTimeout: limits.headersTimeoutMs, connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs, limits.requestTimeoutMs) },
    genReqId: () => newId("req"),
    routerOptions: { querystringParser: parseQueryString },
    requestIdHeader: false,
    // Router-level failures (a malformed URL) in the API's error format too.
    frameworkErrors: (error, request, reply) => errorHandler(error, request, reply),
  });
  for (const [name, schema] of Object.entries(schemas)) app.addSchema({ $id: name, ...(toFastifyRefs(schema) as object) });
  app.setValidatorCompiler(requestValidators(Object.values(app.getSchemas())));
  // Only JSON bodies are accepted; anything else is a 415, not a string that fails validation.
  app.removeContentTypeParser("text/plain");
  app.decorateRequest("hjContext", null);
  app.decorateRequest("hjIdempotency", null);
  app.setErrorHandler(errorHandler);
  app.server.maxConnections = limits.maxConnections;
  abuseLimits.logger = { warn: (message) => app.log.warn(message), info: (message) => app.log.info(message) };
  await abuseLimits.ready();
  app.setNotFoundHandler((request, reply) => sendError(new ApiError(404, "route_not_found", `No route ${request.method} ${request.url.split("?")[0]}`), request, reply));

  const authenticate = async (request: FastifyRequest): Promise<RequestContext> => {
    const tenantHeader = request.headers["hellojohn-tenant-id"];
    const principal = await tenants.authenticate(typeof tenantHeader === "string" ? tenantHeader : undefined, bearer(request));
    return requestContext(request, principal.tenantId, { type: "api_key", id: principal.keyId });
  };

  app.addHook("onRequest", async (request, reply) => {
    reply.header("x-request-id", request.id);
    // Authenticate before the body is read: an unauthenticated caller costs no parsing.
    if (request.routeOptions.config?.secretKey === true) {
      request.hjContext = await authenticate(request);
      reply.headers(await abuseLimits.adminApi.take(request.hjContext.actor.id ?? ""));
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
    const claim = await idempotency.begin(request, reply, request.hjContext.tenantId);
    if (claim !== undefined) request.hjIdempotency = claim;
    else if (reply.sent) return reply;
  });
  app.addHook("onSend", async (request, reply, payload) => {
    const claim = request.hjIdempotency;
    if (claim !== null) {
      request.hjIdempotency = null;
      await idempotency.finish(claim, reply.statusCode, payload);
    }
    return payload;
  });

  const handlers: Handlers = {
    listUsers: ({ ctx, query }) => users.list(ctx, query),
    createUser: ({ ctx, body }) => users.create(ctx, body),
    importUsers: ({ ctx, body }) => transfer.import(ctx, body),
    getUserByEmail: ({ ctx, query }) => users.getByEmail(ctx, query.email),
    getUser: ({ ctx, params }) => users.get(ctx, params.user_id),
    updateUser: ({ ctx, params, body }) => users.update(ctx, params.user_id, body),
    deleteUser: ({ ctx, params }) => users.delete(ctx, params.user_id),
    disableUser: ({ ctx, params }) => users.disable(ctx, params.user_id),
    enableUser: ({ ctx, params }) => users.enable(ctx, params.user_id),
    impersonateUser: ({ ctx, params, body }) => users.impersonate(ctx, params.user_id, body),
    exportUser: ({ ctx, params }) => users.export(ctx, params.user_id),
    listUserSessions: ({ ctx, params, query }) => users.listSessions(ctx, params.user_id, query),
    revokeUserSession: ({ ctx, params }) => users.revokeSession(ctx, params.user_id, params.session_id),
    getSession: ({ ctx, params }) => auth.sessionStatus(ctx, params.session_id),
    listOrganizations: ({ ctx, query }) => organizations.list(ctx, query),
    createOrganization: ({ ctx, body }) => organizations.create(ctx, body),
    getOrganization: ({ ctx, params }) => organizations.get(ctx, params.org_id),
    updateOrganization: ({ ctx, params, body }) => organizations.update(ctx, params.org_id, body),
    deleteOrganization: ({ ctx, params }) => organizations.delete(ctx, params.org_id),
    listMembers: ({ ctx, params, query }) => organizations.listMembers(ctx, params.org_id, query),
    addMember: ({ ctx, params, body }) => organizations.addMember(ctx, params.org_id, body),
    updateMember: ({ ctx, params, body }) => organizations.updateMember(ctx, params.org_id, params.user_id, body),
    removeMember: ({ ctx, params }) => organizations.removeMember(ctx, params.org_id, params.user_id),
    getJwks: ({ ctx }) => tenants.jwks(ctx.tenantId),
    getOpenIdConfiguration: ({ ctx }) => tokens.openIdConfiguration(ctx.tenantId),
    signIn: ({ ctx, body }) => auth.signIn(ctx, body),
    refreshSession: ({ ctx, body }) => auth.refresh(ctx, body),
    signOut: ({ ctx, body }) => auth.signOut(ctx, body),
    listEvents: ({ ctx, query }) => events.list(ctx, query),
    createWebhookEndpoint: ({ ctx, body }) => webhooks.create(ctx, body),
    listWebhookEndpoints: ({ ctx, query }) => webhooks.list(ctx, query),
    getWebhookEndpoint: ({ ctx, params }) => webhooks.get(ctx, params.endpoint_id),
    updateWebhookEndpoint: ({ ctx, params, body }) => webhooks.update(ctx, params.endpoint_id, body),
    deleteWebhookEndpoint: ({ ctx, params }) => webhooks.delete(ctx, params.endpoint_id),
    rotateWebhookEndpointSecret: ({ ctx, params }) => webhooks.rotateSecret(ctx, params.endpoint_id),
    listWebhookDeliveries: ({ ctx, params, query }) => webhooks.listDeliveries(ctx, params.endpoint_id, query),
    resendWebhookDelivery: ({ ctx, params }) => webhooks.resend(ctx, params.endpoint_id, params.delivery_id),
    health: async () => ({ status: "ok", limits: abuseLimits.health() }),
  };
  registerRoutes(app, handlers, {
    authenticate,
    publicContext: (request) => {
      const tenantId = (request.params as { tenant_id?: string }).tenant_id === undefined ? "" : tenantFromPath(request);
      return requestContext(request, tenantId, { type: "anonymous", id: null });
    },
    recordOutcome: (trx, claim, statusCode, body, result) => idempotency.record(trx, claim, statusCode, body, result),
  });
  if (options.console !== undefined && options.console !== false) {
    mountConsole(app, { database, users, organizations, webhooks, sessions: stores.sessions, organizationsStore: stores.organizations, auditStore: stores.audit, audit }, options.console);
  }
  const document = openApiDocument(VERSION);
  app.get("/openapi.json", async () => document);

  // A request's events are committed once its response goes out: deliver them right away.
  app.addHook("onResponse", async () => delivery.pokeIfPending());
  const retention = new Retention(database, stores.sessions, idempotency);
  const sweep = (): void => {
    void retention.sweep().catch((error: unknown) => app.log.error({ err: error }, "retention sweep failed"));
    void events.purge().catch((error: unknown) => app.log.error({ err: error }, "event purge failed"));
  };
  const sweeper = setInterval(sweep, options.sweepIntervalMs ?? 10 * 60_000);
  sweeper.unref();
  if (webhookOptions.deliver ?? true) delivery.start();
  app.addHook("onClose", async () => {
    clearInterval(sweeper);
    await delivery.close();
    await abuseLimits.close();
    await database.close();
  });

  return {
    app,
    database,
    tenants,
    transfer,
    limits: abuseLimits,
    async listen({ host = "127.0.0.1", port = 0 } = {}) {
      await app.listen({ host, port });
      const address = app.server.address();
      const actualPort = typeof address === "object" && address !== null ? address.port : port;
      const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
      const url = `http://${shownHost}:${actualPort}`;
      publicUrl ??= url;
      return url;
    },
    sweep: ({ now } = {}) => retention.sweep(now),
    close: () => app.close(),
  };
}
