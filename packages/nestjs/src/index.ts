export { HelloJohnModule } from "./hellojohn.module.js";
export { HELLOJOHN_ASYNC_OPTIONS_TYPE, HELLOJOHN_OPTIONS_TYPE } from "./hellojohn.module-definition.js";
export { HELLOJOHN_OPTIONS, IS_PUBLIC_KEY, ROLES_KEY } from "./hellojohn.constants.js";
export type { HelloJohnModuleOptions } from "./hellojohn-module-options.interface.js";
export { OrganizationsService, UsersService } from "./users.service.js";
export { HelloJohnGuard } from "./hellojohn.guard.js";
export { HelloJohnErrorFilter } from "./hellojohn-error.filter.js";
export { InjectHelloJohn } from "./inject-hellojohn.decorator.js";
export { Public } from "./public.decorator.js";
export { Roles } from "./roles.decorator.js";
export { VerifiedSession } from "./verified-session.decorator.js";
export { getVerifiedSession } from "./get-verified-session.js";
export { verifyWebhookRequest, type WebhookRequest } from "./verify-webhook-request.js";
// Re-exported so apps need one import for the client, its types and its errors.
export * from "@hellojohn/node";
