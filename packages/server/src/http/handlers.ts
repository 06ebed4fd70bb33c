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
 * One handler per operation: each maps the validated, typed request parts to
 * a service call. The compiler checks every input and result against the
 * contract's schemas.
 */
export function createHandlers({ users, transfer, auth, organizations, tenants, tokens, events, webhooks, health }: HandlerServices): Handlers {
  return {
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
    health: async () => ({ status: "ok", limits: health() }),
  };
}
