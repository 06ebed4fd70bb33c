import { SetMetadata } from "@nestjs/common";
import { IS_PUBLIC_KEY } from "./hellojohn.constants.js";

/**
 * Opts a route or controller out of a global `HelloJohnGuard`.
 *
 * @example
 * ```ts
 * @Public() @Get("health") health() { return "ok"; }
 * ```
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);
