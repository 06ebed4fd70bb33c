import { Module, type Provider } from "@nestjs/common";
import { HelloJohn, resolveAdapterOptions } from "@hellojohn/node";
import { HELLOJOHN_OPTIONS } from "./hellojohn.constants.js";
import { HelloJohnGuard } from "./hellojohn.guard.js";
import { HelloJohnConfigurableModule } from "./hellojohn.module-definition.js";
import type { HelloJohnModuleOptions } from "./hellojohn-module-options.interface.js";
import { OrganizationsService, UsersService } from "./users.service.js";

const createClient = (options: HelloJohnModuleOptions): HelloJohn => resolveAdapterOptions("HelloJohnModule", options, { own: ["checkRevoked"] }).client;

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
