import {
  fromWireAddMember,
  fromWireCreateUser,
  fromWireImpersonate,
  fromWireImportUser,
  fromWireRefresh,
  fromWireSignIn,
  fromWireUpdateUser,
  wireDeleted,
  wireFeedPage,
  wireHealth,
  wireImpersonation,
  wireImportResult,
  wireJwks,
  wireMembership,
  wireOpenIdConfiguration,
  wireOrganization,
  wireMembershipsPage,
  wireOrganizationsPage,
  wireSessionsPage,
  wireUsersPage,
  wireWebhookDeliveriesPage,
  wireWebhookEndpointsPage,
  wireSession,
  wireSessionStatus,
  wireSessionTokens,
  wireSignedIn,
  wireSignedOut,
  wireUser,
  wireUserExport,
  wireWebhookDelivery,
  wireWebhookEndpoint,
  wireWebhookEndpointWithSecret,
} from "../contract/wire.js";
import type { LimitsHealth } from "../limits/limiter-store.js";
import type { AuthService } from "../services/auth.service.js";
import type { EventsService } from "../services/events.service.js";
import type { OrganizationsService } from "../services/organizations.service.js";
import type { TenantsService } from "../services/tenants.service.js";
import type { TokenIssuer } from "../services/token-issuer.js";
import type { UserTransferService } from "../services/user-transfer.service.js";
import type { UsersService } from "../services/users.service.js";
import type { WebhooksService } from "../services/webhooks.service.js";
import type { Handlers } from "./routes.js";

/** The services the handlers call. */
export interface HandlerServices {
  users: UsersService;
  transfer: UserTransferService;
  auth: AuthService;
  organizations: OrganizationsService;
  tenants: TenantsService;
  tokens: TokenIssuer;
  events: EventsService;
  webhooks: WebhooksService;
  /** Where the limits are kept, for `/health`. */
  health: () => LimitsHealth;
}

/**
 * One handler per operation: each maps the validated wire request to the
 * service's domain input, and the service's domain result to the wire through
 * `respond` (which an idempotent mutation's record uses too). The compiler
 * checks every input and result against the contract's schemas.
 */
export function createHandlers({ users, transfer, auth, organizations, tenants, tokens, events, webhooks, health }: HandlerServices): Handlers {
  return {
    listUsers: ({ query, respond }) =>
      respond((ctx) => users.list(ctx, { limit: query.limit, cursor: query.cursor, search: query.search, status: query.status, orgId: query.org_id }), wireUsersPage),
    createUser: ({ body, respond }) => respond((ctx) => users.create(ctx, fromWireCreateUser(body)), wireUser),
    importUsers: ({ body, respond }) => respond((ctx) => transfer.import(ctx, { users: body.users.map(fromWireImportUser) }), wireImportResult),
    getUserByEmail: ({ query, respond }) => respond((ctx) => users.getByEmail(ctx, query.email), wireUser),
    getUser: ({ params, respond }) => respond((ctx) => users.get(ctx, params.user_id), wireUser),
    updateUser: ({ params, body, respond }) => respond((ctx) => users.update(ctx, params.user_id, fromWireUpdateUser(body)), wireUser),
    deleteUser: ({ params, respond }) => respond((ctx) => users.delete(ctx, params.user_id), wireDeleted),
    disableUser: ({ params, respond }) => respond((ctx) => users.disable(ctx, params.user_id), wireUser),
    enableUser: ({ params, respond }) => respond((ctx) => users.enable(ctx, params.user_id), wireUser),
    impersonateUser: ({ params, body, respond }) => respond((ctx) => users.impersonate(ctx, params.user_id, fromWireImpersonate(body)), wireImpersonation),
    exportUser: ({ params, respond }) => respond((ctx) => users.export(ctx, params.user_id), wireUserExport),
    listUserSessions: ({ params, query, respond }) => respond((ctx) => users.listSessions(ctx, params.user_id, query), wireSessionsPage),
    revokeUserSession: ({ params, respond }) => respond((ctx) => users.revokeSession(ctx, params.user_id, params.session_id), wireSession),
    getSession: ({ params, respond }) => respond((ctx) => auth.session(ctx, params.session_id), wireSessionStatus),
    listOrganizations: ({ query, respond }) => respond((ctx) => organizations.list(ctx, query), wireOrganizationsPage),
    createOrganization: ({ body, respond }) => respond((ctx) => organizations.create(ctx, body), wireOrganization),
    getOrganization: ({ params, respond }) => respond((ctx) => organizations.get(ctx, params.org_id), wireOrganization),
    updateOrganization: ({ params, body, respond }) => respond((ctx) => organizations.update(ctx, params.org_id, body), wireOrganization),
    deleteOrganization: ({ params, respond }) => respond((ctx) => organizations.delete(ctx, params.org_id), wireDeleted),
    listMembers: ({ params, query, respond }) => respond((ctx) => organizations.listMembers(ctx, params.org_id, query), wireMembershipsPage),
    addMember: ({ params, body, respond }) => respond((ctx) => organizations.addMember(ctx, params.org_id, fromWireAddMember(body)), wireMembership),
    updateMember: ({ params, body, respond }) => respond((ctx) => organizations.updateMember(ctx, params.org_id, params.user_id, body), wireMembership),
    removeMember: ({ params, respond }) => respond((ctx) => organizations.removeMember(ctx, params.org_id, params.user_id), wireDeleted),
    getJwks: ({ respond }) => respond((ctx) => tenants.jwks(ctx.tenantId), wireJwks),
    getOpenIdConfiguration: ({ respond }) => respond((ctx) => tokens.openIdConfiguration(ctx.tenantId), wireOpenIdConfiguration),
    signIn: ({ body, respond }) => respond((ctx) => auth.signIn(ctx, fromWireSignIn(body)), wireSignedIn),
    refreshSession: ({ body, respond }) => respond((ctx) => auth.refresh(ctx, fromWireRefresh(body)), wireSessionTokens),
    signOut: ({ body, respond }) => respond((ctx) => auth.signOut(ctx, { refreshToken: body.refresh_token }), wireSignedOut),
    listEvents: ({ query, respond }) => respond((ctx) => events.list(ctx, query), wireFeedPage),
    createWebhookEndpoint: ({ body, respond }) => respond((ctx) => webhooks.create(ctx, body), wireWebhookEndpointWithSecret),
    listWebhookEndpoints: ({ query, respond }) => respond((ctx) => webhooks.list(ctx, query), wireWebhookEndpointsPage),
    getWebhookEndpoint: ({ params, respond }) => respond((ctx) => webhooks.get(ctx, params.endpoint_id), wireWebhookEndpoint),
    updateWebhookEndpoint: ({ params, body, respond }) => respond((ctx) => webhooks.update(ctx, params.endpoint_id, body), wireWebhookEndpoint),
    deleteWebhookEndpoint: ({ params, respond }) => respond((ctx) => webhooks.delete(ctx, params.endpoint_id), wireDeleted),
    rotateWebhookEndpointSecret: ({ params, respond }) => respond((ctx) => webhooks.rotateSecret(ctx, params.endpoint_id), wireWebhookEndpointWithSecret),
    listWebhookDeliveries: ({ params, query, respond }) => respond((ctx) => webhooks.listDeliveries(ctx, params.endpoint_id, query), wireWebhookDeliveriesPage),
    resendWebhookDelivery: ({ params, respond }) => respond((ctx) => webhooks.resend(ctx, params.endpoint_id, params.delivery_id), wireWebhookDelivery),
    health: ({ respond }) => respond(async () => health(), wireHealth),
  };
}
