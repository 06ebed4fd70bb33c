import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import { errorResponse, HelloJohnError } from "@hellojohn/node";

/**
 * Answers SDK errors the way HelloJohn did: a 404 `user_not_found` stays a 404
 * with the same `{ error: { type, code, message, param } }` body; connection
 * failures and 5xx become a 502. Works on Express and Fastify.
 *
 * @example
 * ```ts
 * providers: [{ provide: APP_FILTER, useClass: HelloJohnErrorFilter }]
 * ```
 */
@Catch(HelloJohnError)
export class HelloJohnErrorFilter implements ExceptionFilter<HelloJohnError> {
  constructor(@Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost) {}

  catch(error: HelloJohnError, host: ArgumentsHost): void {
    const { status, body } = errorResponse(error);
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), body, status);
  }
}
