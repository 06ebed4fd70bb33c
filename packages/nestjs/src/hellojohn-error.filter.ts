import { type ArgumentsHost, Catch, type ExceptionFilter, Inject } from "@nestjs/common";
import { HttpAdapterHost } from "@nestjs/core";
import { HelloJohnError } from "@hellojohn/node";

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
    const clientError = error.status !== undefined && error.status >= 400 && error.status < 500;
    const status = clientError ? (error.status as number) : 502;
    const body: Record<string, string> = { type: error.type, code: error.code ?? "hellojohn_error", message: error.message };
    if (error.param !== undefined) body.param = error.param;
    if (error.requestId !== undefined) body.requestId = error.requestId;
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), { error: body }, status);
  }
}
