import type { FastifyInstance } from "fastify";
import type { AuditLog } from "../services/audit-log.js";
import type { OrganizationsService } from "../services/organizations.service.js";
import type { UsersService } from "../services/users.service.js";
import type { WebhooksService } from "../services/webhooks.service.js";
import type { AuditStore } from "../store/audit.store.js";
import type { Database } from "../store/database.js";
import type { OrganizationsStore } from "../store/organizations.store.js";
import type { SessionsStore } from "../store/sessions.store.js";
import { registerConsole } from "./console.routes.js";
import { CONSOLE_TIMING_DEFAULTS, ConsoleService, type ConsoleTimings } from "./console.service.js";
import { ConsoleStore } from "./console.store.js";

/** The `console` option of `createServer`: `true` for the defaults, or some of the timings. */
export type ConsoleOption = boolean | Partial<ConsoleTimings>;

/** The timings a `console` option means, checked. */
export function consoleTimings(option: Exclude<ConsoleOption, false>): ConsoleTimings {
  const timings = { ...CONSOLE_TIMING_DEFAULTS, ...(option === true ? {} : option) };
  for (const [key, value] of Object.entries(timings)) {
    if (!Number.isInteger(value) || value < 1000) throw new Error(`createServer: console.${key} must be an integer of at least 1000 ms, got ${String(value)}`);
  }
  return timings;
}

/** Builds the console's service on the server's own services and stores, and registers its routes. */
export function mountConsole(
  app: FastifyInstance,
  deps: {
    database: Database;
    users: UsersService;
    organizations: OrganizationsService;
    webhooks: WebhooksService;
    sessions: SessionsStore;
    organizationsStore: OrganizationsStore;
    auditStore: AuditStore;
    audit: AuditLog;
  },
  option: Exclude<ConsoleOption, false>,
): void {
  const timings = consoleTimings(option);
  const service = new ConsoleService(deps.database, new ConsoleStore(), deps.users, deps.sessions, deps.organizationsStore, deps.auditStore, deps.audit, timings);
  registerConsole(app, { console: service, users: deps.users, organizations: deps.organizations, webhooks: deps.webhooks }, { maxAgeMs: timings.maxAgeMs });
}
