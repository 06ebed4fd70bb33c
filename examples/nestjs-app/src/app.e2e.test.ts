import "reflect-metadata";
import { Test } from "@nestjs/testing";
import { HELLOJOHN_OPTIONS, type HelloJohn } from "@hellojohn/nestjs";
import { describeAuthorization, describeJourney, type RunningApp } from "@hellojohn-examples/journey";
// The compiled app: tsc keeps the decorator metadata that Nest's DTO validation needs.
import { AppModule } from "../dist/app.module.js";
import { SESSION_COOKIE } from "../dist/auth/auth.controller.js";

async function start(client: HelloJohn): Promise<RunningApp> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] })
    .overrideProvider(HELLOJOHN_OPTIONS)
    .useValue({ client, cookieName: SESSION_COOKIE, checkRevoked: true })
    .compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, "127.0.0.1");
  return { url: (await app.getUrl()).replace("[::1]", "127.0.0.1"), close: () => app.close() };
}

describeJourney("nestjs-app", start);
await describeAuthorization("nestjs-app", start);
