import "reflect-metadata";
import { Test } from "@nestjs/testing";
import { HELLOJOHN_OPTIONS } from "@hellojohn/nestjs";
import { describeWebhookSync } from "@hellojohn-examples/journey/webhook-sync";
// The compiled app: tsc keeps the decorator metadata Nest's injection needs.
import { AppModule } from "../dist/app.module.js";
import { LocalUsersService } from "../dist/webhooks/local-users.service.js";
import { WEBHOOK_SECRET } from "../dist/webhooks/webhooks.controller.js";

describeWebhookSync("nestjs-app", async (client, webhookSecret) => {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(HELLOJOHN_OPTIONS)
    .useValue({ client })
    .overrideProvider(WEBHOOK_SECRET)
    .useValue(webhookSecret)
    .compile();
  const app = moduleRef.createNestApplication({ logger: false, rawBody: true });
  await app.listen(0, "127.0.0.1");
  return { url: (await app.getUrl()).replace("[::1]", "127.0.0.1"), localUsers: app.get(LocalUsersService), close: () => app.close() };
});
