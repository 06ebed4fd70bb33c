import { type CanActivate, type ExecutionContext, ForbiddenException, HttpException, Inject, Injectable, Optional, UnauthorizedException } from "@nestjs/common";
import { HttpAdapterHost, Reflector } from "@nestjs/core";
import { AuthRequirement, authenticateRequest, HelloJohn, type IncomingHeaders, type RequestAuthentication, type RoleRequirement } from "@hellojohn/node";
import { HELLOJOHN_OPTIONS, IS_PUBLIC_KEY, ROLES_KEY } from "./hellojohn.constants.js";
import type { HelloJohnModuleOptions } from "./hellojohn-module-options.interface.js";
import { verifiedSessions } from "./request-session.js";

/**
 * Lets a request through only with a valid HelloJohn session (bearer token or
 * the configured cookie); answers 401 with a JSON error otherwise, and 503
 * JSON with `Retry-After` when HelloJohn cannot be reached to check the token
 * (`@Public()` routes never ask it, so they keep working). Works on the
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
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {}

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true) return true;
    const roles = this.reflector.getAllAndOverride<RoleRequirement | undefined>(ROLES_KEY, targets);
    const http = context.switchToHttp();
    const request = http.getRequest<{ headers: IncomingHeaders }>();
    const result = authenticateRequest(this.client, request.headers, {
      cookieName: this.options.cookieName,
      checkRevoked: this.options.checkRevoked === true,
      audience: this.options.audience,
      authorizedParties: this.options.authorizedParties,
    });
    // A remembered token is answered synchronously: no promise on the common path.
    return result instanceof Promise
      ? result.then((authentication) => this.#admit(request, http.getResponse(), authentication, roles))
      : this.#admit(request, http.getResponse(), result, roles);
  }

  #admit(request: object, response: unknown, authentication: RequestAuthentication, roles: RoleRequirement | undefined): true {
    if (authentication.auth !== null) verifiedSessions.set(request, authentication.auth);
    const refusal = AuthRequirement.ofRoles(roles).judge(authentication);
    if (refusal === null) return true;
    const { status, headers, body } = refusal;
    if (status === 401) throw new UnauthorizedException(body);
    if (status === 403) throw new ForbiddenException(body);
    // HelloJohn could not check the token: a JSON 503 with Retry-After (or a generic 500), logged where it was checked.
    for (const [name, value] of Object.entries(headers)) this.adapterHost?.httpAdapter.setHeader(response, name, value);
    throw new HttpException(body as Record<string, unknown>, status);
  }
}
