import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, UnauthorizedException } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import {
  authenticateRequest,
  HelloJohn,
  unauthorizedBody,
  type IncomingHeaders,
  type RequestAuthentication,
  type RoleRequirement,
} from "@hellojohn/node";
import { HELLOJOHN_OPTIONS, IS_PUBLIC_KEY, ROLES_KEY } from "./hellojohn.constants.js";
import type { HelloJohnModuleOptions } from "./hellojohn-module-options.interface.js";
import { verifiedSessions } from "./request-session.js";

/**
 * Lets a request through only with a valid HelloJohn session (bearer token or
 * the configured cookie); answers 401 with a JSON error otherwise. Works on the
 * Express and Fastify platforms. Use per controller with `@UseGuards(HelloJohnGuard)`
 * or globally with `{ provide: APP_GUARD, useClass: HelloJohnGuard }` and `@Public()`.
 * On routes marked `@Roles("admin")` it also requires that organization role,
 * answering 403 `insufficient_role` to a session without it.
 *
 * @example
 * ```ts
 * @UseGuards(HelloJohnGuard)
 * @Get("me") me(@VerifiedSession() session: VerifiedToken) { return session; }
 * ```
 */
@Injectable()
export class HelloJohnGuard implements CanActivate {
  constructor(
    @Inject(HelloJohn) private readonly client: HelloJohn,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(HELLOJOHN_OPTIONS) private readonly options: HelloJohnModuleOptions,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true) return true;
    const roles = this.reflector.getAllAndOverride<RoleRequirement | undefined>(ROLES_KEY, targets);
    const request = context.switchToHttp().getRequest<{ headers: IncomingHeaders }>();
    const result = authenticateRequest(this.client, request.headers, {
      cookieName: this.options.cookieName,
      checkRevoked: this.options.checkRevoked === true,
    });
    // A remembered token is answered synchronously: no promise on the common path.
    return result instanceof Promise
      ? result.then((authentication) => this.#admit(request, authentication, roles))
      : this.#admit(request, result, roles);
  }

  #admit(request: object, { auth, error }: RequestAuthentication, roles: RoleRequirement | undefined): true {
    if (auth === null) throw new UnauthorizedException(unauthorizedBody(error));
    verifiedSessions.set(request, auth);
    if (roles !== undefined && !roles.admits(auth)) throw new ForbiddenException(roles.forbiddenBody());
    return true;
  }
}
