import { Module, ValidationPipe } from "@nestjs/common";
import { APP_FILTER, APP_GUARD, APP_PIPE } from "@nestjs/core";
import { HelloJohnErrorFilter, HelloJohnGuard, HelloJohnModule } from "@hellojohn/nestjs";
import { AdminController } from "./admin/admin.controller.js";
import { AdminGuard } from "./admin/admin.guard.js";
import { AuthController, SESSION_COOKIE } from "./auth/auth.controller.js";
import { MeController } from "./me/me.controller.js";
import { OrgController } from "./org/org.controller.js";
import { LocalUsersService } from "./webhooks/local-users.service.js";
import { WEBHOOK_SECRET, WebhooksController } from "./webhooks/webhooks.controller.js";

@Module({
  imports: [
    // tenantId, secretKey and baseUrl come from HELLOJOHN_* when the module starts.
    // checkRevoked: a disabled user or a signed-out session is refused at once, not at token expiry.
    HelloJohnModule.forRoot({ isGlobal: true, cookieName: SESSION_COOKIE, checkRevoked: true }),
  ],
  controllers: [AuthController, MeController, OrgController, AdminController, WebhooksController],
  providers: [
    AdminGuard,
    LocalUsersService,
    { provide: WEBHOOK_SECRET, useFactory: () => process.env.HELLOJOHN_WEBHOOK_SECRET ?? "" },
    { provide: APP_GUARD, useExisting: HelloJohnGuard },
    { provide: APP_FILTER, useClass: HelloJohnErrorFilter },
    { provide: APP_PIPE, useValue: new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }) },
  ],
})
export class AppModule {}
