import { Module, type Provider } from "@nestjs/common";
import { assertKnownOptions, HELLOJOHN_OPTION_NAMES, HelloJohn, isHelloJohnClient } from "@hellojohn/node";
import { HELLOJOHN_OPTIONS } from "./hellojohn.constants.js";
import { HelloJohnGuard } from "./hellojohn.guard.js";
import { HelloJohnConfigurableModule } from "./hellojohn.module-definition.js";
import type { HelloJohnModuleOptions } from "./hellojohn-module-options.interface.js";
import { OrganizationsService, UsersService } from "./users.service.js";

const OPTION_NAMES = [...HELLOJOHN_OPTION_NAMES, "client", "cookieName", "checkRevoked"] as const satisfies readonly (keyof HelloJohnModuleOptions)[];
type MustBeNever<T extends never> = T;
// A compile error here names an option of HelloJohnModuleOptions missing from OPTION_NAMES.
type UnlistedOption = MustBeNever<Exclude<keyof HelloJohnModuleOptions, (typeof OPTION_NAMES)[number]>>;

function createClient(options: HelloJohnModuleOptions): HelloJohn {
  assertKnownOptions("HelloJohnModule", options, OPTION_NAMES);
  const { client, cookieName: _cookie, checkRevoked: _check, ...clientOptions } = options;
  if (client !== undefined && !isHelloJohnClient(client)) throw new TypeError('HelloJohnModule option "client" must be a HelloJohn instance');
  return client ?? new HelloJohn(clientOptions);
}

const providers: Provider[] = [
  { provide: HelloJohn, useFactory: createClient, inject: [HELLOJOHN_OPTIONS] },
  { provide: UsersService, useFactory: (client: HelloJohn) => client.users, inject: [HelloJohn] },
  { provide: OrganizationsService, useFactory: (client: HelloJohn) => client.organizations, inject: [HelloJohn] },
  HelloJohnGuard,
];

/**
 * The HelloJohn module. The client is created once, from the options (with the
 * core's `HELLOJOHN_*` environment fallbacks), when the module starts.
 *
 * @example
 * ```ts
 * @Module({
 *   imports: [
 *     // ConfigModule and ConfigService come from @nestjs/config.
 *     HelloJohnModule.forRootAsync({
 *       isGlobal: true,
 *       imports: [ConfigModule],
 *       inject: [ConfigService],
 *       useFactory: (config: ConfigService) => ({ tenantId: config.get("HJ_TENANT"), secretKey: config.get("HJ_KEY") }),
 *     }),
 *   ],
 * })
 * export class AppModule {}
 * ```
 */
@Module({ providers, exports: [HelloJohn, UsersService, OrganizationsService, HelloJohnGuard, HELLOJOHN_OPTIONS] })
export class HelloJohnModule extends HelloJohnConfigurableModule {}
