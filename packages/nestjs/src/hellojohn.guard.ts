import { type CanActivate, type ExecutionContext, Inject, Injectable, UnauthorizedException } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import { authenticateRequest, HelloJohn, unauthorizedBody, type IncomingHeaders, type RequestAuthentication } from "@hellojohn/node";
import { HELLOJOHN_OPTIONS, IS_PUBLIC_KEY } from "./hellojohn.constants.js";
import type { HelloJohnModuleOptions } from "./hellojohn-module-options.interface.js";
import { verifiedSessions } from "./request-session.js";

/**
 * Lets a request through only with a valid HelloJohn session (bearer token or
 * the configured cookie); answers 401 with a JSON error otherwise. Works on the
 * Express and Fastify platforms. Use per controller with `@UseGuards(HelloJohnGuard)`
 * or globally with `{ provide: APP_GUARD, useClass: HelloJohnGuard }` and `@Public()`.
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
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [context.getHandler(), context.getClass()]) === true) return true;
    const request = context.switchToHttp().getRequest<{ headers: IncomingHeaders }>();
    const result = authenticateRequest(this.client, request.headers, {
      cookieName: this.options.cookieName,
      checkRevoked: this.options.checkRevoked === true,
      audience: this.options.audience,
      authorizedParties: this.options.authorizedParties,
    });
    // A remembered token is answered synchronously: no promise on the common path.
    return result instanceof Promise ? result.then((authentication) => this.#admit(request, authentication)) : this.#admit(request, result);
  }

  #admit(request: object, { auth, error }: RequestAuthentication): true {
    if (auth === null) throw new UnauthorizedException(unauthorizedBody(error));
    verifiedSessions.set(request, auth);
    return true;
  }
}
