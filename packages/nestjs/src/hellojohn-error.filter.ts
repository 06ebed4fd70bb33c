import { type ArgumentsHost, Catch, Inject } from "@nestjs/common";
import { BaseExceptionFilter, HttpAdapterHost } from "@nestjs/core";
import { errorResponse, isHelloJohnError } from "@hellojohn/node";

/**
 * Answers SDK errors the way HelloJohn did: a 404 `user_not_found` stays a 404
 * with the same `{ error: { type, code, message, param, requestId } }` body;
 * connection failures and 5xx become a 502. Everything else goes to Nest's
 * default handling. Works on Express and Fastify.
 *
 * It catches every exception and tells HelloJohn's apart with
 * `isHelloJohnError`, so it also recognises errors from a second copy of the
 * SDK (an ESM and a CJS copy), which `@Catch(HelloJohnError)` would miss.
 *
 * @example
 * ```ts
 * providers: [{ provide: APP_FILTER, useClass: HelloJohnErrorFilter }]
 * ```
 */
@Catch()
export class HelloJohnErrorFilter extends BaseExceptionFilter {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {
    super(adapterHost.httpAdapter);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!isHelloJohnError(exception) || host.getType() !== "http") return super.catch(exception, host);
    const { status, body } = errorResponse(exception);
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status);
  }
}
