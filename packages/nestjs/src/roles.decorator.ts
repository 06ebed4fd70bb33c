import { SetMetadata } from "@nestjs/common";
import { RoleRequirement } from "@hellojohn/node";
import { ROLES_KEY } from "./hellojohn.constants.js";

/**
 * Lets `HelloJohnGuard` admit only sessions whose active organization role
 * (the token's `org_role`) is one of `roles`; an authenticated session without
 * it gets a 403 `insufficient_role`, no session a 401. On a controller it
 * applies to every route; a route's own `@Roles()` replaces the controller's.
 * The role names are checked when the decorator is applied, not per request.
 *
 * @example
 * ```ts
 * @Roles("admin")
 * @Delete("org/members/:id") remove(@Param("id") id: string) { … }
 * ```
 */
export const Roles = (...roles: [string, ...string[]]): MethodDecorator & ClassDecorator => SetMetadata(ROLES_KEY, RoleRequirement.from(roles, "@Roles()") as RoleRequirement);
