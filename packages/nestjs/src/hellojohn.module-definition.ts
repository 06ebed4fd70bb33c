import { ConfigurableModuleBuilder } from "@nestjs/common";
import { HELLOJOHN_OPTIONS } from "./hellojohn.constants.js";
import type { HelloJohnModuleOptions } from "./hellojohn-module-options.interface.js";

export const {
  ConfigurableModuleClass: HelloJohnConfigurableModule,
  OPTIONS_TYPE: HELLOJOHN_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: HELLOJOHN_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<HelloJohnModuleOptions>({ optionsInjectionToken: HELLOJOHN_OPTIONS })
  .setClassMethodName("forRoot")
  .setFactoryMethodName("createHelloJohnOptions")
  .setExtras({ isGlobal: false }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
