import Fastify, { type FastifyInstance } from "fastify";
import { openApiDocument } from "../contract/openapi.js";
import { schemas } from "../contract/schemas.js";
import { newId } from "../crypto/ids.js";
import { MasterKey } from "../crypto/master-key.js";
import { OWASP_ARGON2ID, PasswordHasher, TEST_ONLY_ARGON2ID } from "../crypto/passwords.js";
import { ApiError } from "../domain/api-error.js";
import { CursorCodec } from "../domain/cursor.js";
import { errorHandler, sendError } from "../http/error-handler.js";
import { requestValidators } from "../http/request-validators.js";
import { Idempotency } from "../http/idempotency.js";
import { Limits, type LimitsStatus } from "../limits/limits.js";
import { parseQueryString } from "../http/input-guard.js";
import { registerRoutes, toFastifyRefs } from "../http/routes.js";
import { createHandlers } from "../http/handlers.js";
import { authenticator, publicContext, registerHooks } from "../http/hooks.js";
import { AuditLog } from "../services/audit-log.js";
import { AuthService } from "../services/auth.service.js";
import { OrganizationContext } from "../services/organization-context.js";
import { OrganizationsService } from "../services/organizations.service.js";
import { TenantsService } from "../services/tenants.service.js";
import { TokenIssuer } from "../services/token-issuer.js";
import { Retention, type SweepResult } from "../services/retention.js";
import { UsersService } from "../services/users.service.js";
import { UserTransferService } from "../services/user-transfer.service.js";
import { DEFAULT_EVENT_RETENTION_MS, EventsService } from "../services/events.service.js";
import { DEFAULT_RETRY_SCHEDULE, WebhookDeliveryWorker } from "../services/webhook-delivery.js";
import { WebhookSender } from "../services/webhook-sender.js";
import { WebhooksService } from "../services/webhooks.service.js";
import { EventsStore } from "../store/events.store.js";
import { WebhooksStore } from "../store/webhooks.store.js";
import { AuditStore } from "../store/audit.store.js";
import { CredentialsStore } from "../store/credentials.store.js";
import { Database } from "../store/database.js";
import { IdempotencyStore } from "../store/idempotency.store.js";
import { OrganizationsStore } from "../store/organizations.store.js";
import { SessionsStore } from "../store/sessions.store.js";
import { TenantsStore } from "../store/tenants.store.js";
import { UsersStore } from "../store/users.store.js";
import { UserTransferStore } from "../store/user-transfer.store.js";
import { mountConsole } from "../console/mount-console.js";

import { VERSION } from "../version.js";
import { connectionLimits, trustedProxies, type ServerOptions } from "./options.js";
import { listen } from "./listen.js";

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
  const limits = connectionLimits(options);
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
  const hasher = new PasswordHasher(options.passwordHashing === "unsafe-test-only" ? TEST_ONLY_ARGON2ID : (options.passwordHashing ?? OWASP_ARGON2ID), abuseLimits.admission);
  const cursors = new CursorCodec(master);
  const audit = new AuditLog(stores.audit);
  const webhookOptions = options.webhooks ?? {};
  const events = new EventsService({
    database,
    store: stores.events,
    sessions: stores.sessions,
    options: { enabled: options.events?.enabled ?? true, retentionMs: (options.events?.retentionDays ?? DEFAULT_EVENT_RETENTION_MS / 86_400_000) * 86_400_000 },
    purgeDeliveries: (cutoff) => stores.webhooks.purgeBefore(database.db, cutoff),
  });
  const delivery = new WebhookDeliveryWorker(
    database,
    stores.webhooks,
    master,
    new WebhookSender({ timeoutMs: webhookOptions.timeoutMs ?? 10_000, allowPrivateNetworks: webhookOptions.allowPrivateNetworks ?? false }),
    {
      retrySchedule: webhookOptions.retrySchedule ?? DEFAULT_RETRY_SCHEDULE,
      timeoutMs: webhookOptions.timeoutMs ?? 10_000,
      concurrency: webhookOptions.concurrency ?? 10,
      pollIntervalMs: webhookOptions.pollIntervalMs ?? 1000,
    },
  );
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
  const users = new UsersService({
    database,
    users: stores.users,
    sessions: stores.sessions,
    organizations: stores.organizations,
    credentials: stores.credentials,
    auditStore: stores.audit,
    idempotency: stores.idempotency,
    audit,
    hasher,
    cursors,
    tokens,
    events,
    organizationContext,
  });
  const transfer = new UserTransferService({ database, users: stores.users, store: new UserTransferStore(), audit, hasher });
  const organizations = new OrganizationsService({ database, store: stores.organizations, users: stores.users, audit, cursors, events });
  const auth = new AuthService({
    database,
    users: stores.users,
    sessions: stores.sessions,
    tenants,
    audit,
    hasher,
    tokens,
    throttle: abuseLimits.signIn,
    events,
    organizations: organizationContext,
  });
  const webhooks = new WebhooksService({
    database,
    store: stores.webhooks,
    events: stores.events,
    audit,
    cursors,
    master,
    options: { allowPrivateNetworks: webhookOptions.allowPrivateNetworks ?? false, onChange: () => delivery.endpointsChanged() },
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
  app.setErrorHandler(errorHandler);
  app.server.maxConnections = limits.maxConnections;
  abuseLimits.logger = { warn: (message) => app.log.warn(message), info: (message) => app.log.info(message) };
  await abuseLimits.ready();
  app.setNotFoundHandler((request, reply) => sendError(new ApiError(404, "route_not_found", `No route ${request.method} ${request.url.split("?")[0]}`), request, reply));

  const authenticate = authenticator(tenants);
  registerHooks(app, { authenticate, limits: abuseLimits, idempotency });

  const handlers = createHandlers({ users, transfer, auth, organizations, tenants, tokens, events, webhooks, health: () => abuseLimits.health() });
  registerRoutes(app, handlers, {
    authenticate,
    publicContext,
    recordOutcome: (trx, claim, statusCode, body, result) => idempotency.record(trx, claim, statusCode, body, result),
  });
  if (options.console !== undefined && options.console !== false) {
    mountConsole(
      app,
      { database, users, organizations, webhooks, sessions: stores.sessions, organizationsStore: stores.organizations, auditStore: stores.audit, audit },
      options.console,
    );
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
    async listen(at) {
      const url = await listen(app, at);
      publicUrl ??= url;
      return url;
    },
    sweep: ({ now } = {}) => retention.sweep(now),
    close: () => app.close(),
  };
}
