import { Inject } from "@nestjs/common";
import { HelloJohn } from "@hellojohn/node";

/**
 * Injects the shared `HelloJohn` client (the class itself is also a token).
 *
 * @example
 * ```ts
 * constructor(@InjectHelloJohn() private readonly hj: HelloJohn) {}
 * ```
 */
export const InjectHelloJohn = (): PropertyDecorator & ParameterDecorator => Inject(HelloJohn);
