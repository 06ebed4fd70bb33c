import { type CanActivate, type ExecutionContext, ForbiddenException, HttpException, Inject, Injectable, Optional, UnauthorizedException } from "@nestjs/common";
import { HttpAdapterHost, Reflector } from "@nestjs/core";
import {
  type AuthenticateRequestOptions,
  AuthRequirement,
  authenticateRequest,
  HelloJohn,
  type IncomingHeaders,
  type RequestAuthentication,
  type RoleRequirement,
} from "@hellojohn/node";
import { HELLOJOHN_OPTIONS, IS_PUBLIC_KEY, ROLES_KEY } from "./hellojohn.constants.js";
import type { HelloJohnModuleOptions } from "./hellojohn-module-options.interface.js";
import { setVerifiedSession } from "./request-session.js";

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
  // TypeScript's `private`, not `#`: with decorators on the class, the build turns `#` members into
  // WeakMap lookups, several on every request. What the decorators say of a handler never changes
  // after start-up: read once per handler, not per request.
  private readonly routes = new WeakMap<object, RouteRule>();
  private readonly authenticateOptions: AuthenticateRequestOptions;

  constructor(
    @Inject(HelloJohn) private readonly client: HelloJohn,
    @Inject(Reflector) private readonly reflector: Reflector,
    @Inject(HELLOJOHN_OPTIONS) options: HelloJohnModuleOptions,
    @Optional() @Inject(HttpAdapterHost) private readonly adapterHost?: HttpAdapterHost,
  ) {
    this.authenticateOptions = {
      cookieName: options.cookieName,
      checkRevoked: options.checkRevoked === true,
      audience: options.audience,
      authorizedParties: options.authorizedParties,
    };
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    const rule = this.ruleFor(context);
    const requirement = rule.requirement;
    if (requirement === null) return true;
    // getArgByIndex, not switchToHttp(): the latter allocates three closures per call.
    const request = context.getArgByIndex<{ headers: IncomingHeaders }>(0);
    const result = authenticateRequest(this.client, request.headers, this.authenticateOptions);
    // A remembered token is answered synchronously: no promise on the common path.
    return result instanceof Promise
      ? result.then((authentication) => this.admit(request, context, authentication, requirement))
      : this.admit(request, context, result, requirement);
  }

  /** `@Public()` and `@Roles()` of the handler, else of its controller, read once per handler. */
  private ruleFor(context: ExecutionContext): RouteRule {
    const handler = context.getHandler();
    const controller = context.getClass();
    const known = this.routes.get(handler);
    // One method can be reached through more than one controller (an inherited route): the rule is kept for the pair.
    if (known !== undefined && known.controller === controller) return known;
    const targets = [handler, controller];
    const isPublic = this.reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, targets) === true;
    const rule: RouteRule = {
      controller,
      requirement: isPublic ? null : AuthRequirement.ofRoles(this.reflector.getAllAndOverride<RoleRequirement | undefined>(ROLES_KEY, targets)),
    };
    this.routes.set(handler, rule);
    return rule;
  }

  private admit(request: object, context: ExecutionContext, authentication: RequestAuthentication, requirement: AuthRequirement): true {
    if (authentication.auth !== null) setVerifiedSession(request, authentication.auth);
    const refusal = requirement.judge(authentication);
    if (refusal === null) return true;
    const { status, headers, body } = refusal;
    if (status === 401) throw new UnauthorizedException(body);
    if (status === 403) throw new ForbiddenException(body);
    // HelloJohn could not check the token: a JSON 503 with Retry-After (or a generic 500), logged where it was checked.
    const response: unknown = context.getArgByIndex(1);
    for (const [name, value] of Object.entries(headers)) this.adapterHost?.httpAdapter.setHeader(response, name, value);
    throw new HttpException(body as Record<string, unknown>, status);
  }
}

/** What a route's decorators ask: `requirement` null for `@Public()`. */
interface RouteRule {
  readonly controller: object;
  readonly requirement: AuthRequirement | null;
}
