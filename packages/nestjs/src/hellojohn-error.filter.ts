import { type ArgumentsHost, Catch, Inject, Logger } from "@nestjs/common";
import { BaseExceptionFilter, HttpAdapterHost } from "@nestjs/core";
import { errorResponse, isHelloJohnError } from "@hellojohn/node";

/**
 * Answers SDK errors for your handlers: a 404 `user_not_found` stays a 404
 * with the same `{ error: { type, code, message, param, requestId } }` body;
 * HelloJohn refusing the app's own key is a 500 with a generic message;
 * HelloJohn unreachable or rate limiting the app is a 503 with `Retry-After`
 * (the real error is logged with Nest's `Logger`). Everything else goes to
 * Nest's default handling. Works on Express and Fastify.
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
  readonly #logger = new Logger("HelloJohn");

  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {
    super(adapterHost.httpAdapter);
  }

  override catch(exception: unknown, host: ArgumentsHost): void {
    if (!isHelloJohnError(exception) || host.getType() !== "http") return super.catch(exception, host);
    const logger = { warn: (message: string) => this.#logger.warn(message), error: (message: string) => this.#logger.error(message) };
    const { status, headers, body } = errorResponse(exception, { logger });
    const response: unknown = host.switchToHttp().getResponse();
    for (const [name, value] of Object.entries(headers)) this.adapterHost.httpAdapter.setHeader(response, name, value);
    this.adapterHost.httpAdapter.reply(response, body, status);
  }
}
