/**
 * One app under load, in its own process: `serve.ts <express|fastify|nestjs> <bare|guard|hellojohn|role>`,
 * or `serve.ts <framework> paired <bare-first|role-first>`.
 * The same route every way; with `hellojohn`, every request's bearer token is verified first;
 * with `role`, the route also requires the `admin` organization role (`requireAuth({ role })`,
 * `@Roles()`), answering 403 to a token without it. `guard` is the bare app with
 * one pass-through step of the framework's own: an empty Express middleware, an
 * empty Fastify `onRequest` hook, a NestJS global guard that admits everything —
 * what any such step costs before it does any work (the reference for HelloJohn's).
 * `paired` is one app serving both sides of the comparison: `/bare/ping` with
 * nothing of HelloJohn's, and `/role/ping` behind HelloJohn and the `admin` role,
 * each under its own prefix (an Express router, a Fastify plugin's prefix, a
 * NestJS controller with the guard on it alone), mounted in the order given so
 * that neither always comes first. The bench loads one path at a time, so one
 * process's memory layout and JIT decisions fall on both alike.
 * Prints `listening <port>` when ready.
 */
import "reflect-metadata";
import type { AddressInfo } from "node:net";
import { type CanActivate, Controller, Get, Injectable, Module, type Type, UseGuards } from "@nestjs/common";
import { APP_GUARD, NestFactory } from "@nestjs/core";
import express from "express";
import Fastify, { type FastifyPluginAsync } from "fastify";
import { hellojohn as expressHellojohn, requireAuth as expressRequireAuth } from "@hellojohn/express";
import { hellojohn as fastifyHellojohn, requireAuth as fastifyRequireAuth } from "@hellojohn/fastify";
import { HelloJohnGuard, HelloJohnModule, Roles } from "@hellojohn/nestjs";

const [framework, mode, order] = process.argv.slice(2);
const paired = mode === "paired";
/** The paired app's bare and role parts, in the order asked for. */
const inOrder = <T>(bare: T, role: T): T[] => (order === "role-first" ? [role, bare] : [bare, role]);
const withRole = mode === "role";
const withAuth = mode === "hellojohn" || withRole;
const ready = (port: number): void => void process.stdout.write(`listening ${port}\n`);

if (framework === "express") {
  const app = express();
  if (paired) {
    const bare = express.Router();
    bare.get("/ping", (_req, res) => void res.json({ ok: true }));
    const role = express.Router();
    role.use(expressHellojohn());
    role.get("/ping", expressRequireAuth({ role: "admin" }), (_req, res) => void res.json({ ok: true }));
    for (const [prefix, router] of inOrder<[string, express.Router]>(["/bare", bare], ["/role", role])) app.use(prefix, router);
  } else if (withRole) {
    app.use(expressHellojohn());
    app.get("/ping", expressRequireAuth({ role: "admin" }), (_req, res) => void res.json({ ok: true }));
  } else if (withAuth) {
    app.use(expressHellojohn());
    // A request whose token did not verify would be a 401, and would show as a failure.
    app.get("/ping", (req, res) => void (req.hj.auth === null ? res.status(401).end() : res.json({ ok: true })));
  } else {
    if (mode === "guard") app.use((_req, _res, next) => next());
    app.get("/ping", (_req, res) => void res.json({ ok: true }));
  }
  const server = app.listen(0, "127.0.0.1", () => ready((server.address() as AddressInfo).port));
} else if (framework === "fastify") {
  const app = Fastify();
  if (paired) {
    const bare: FastifyPluginAsync = async (scope) => void scope.get("/ping", async () => ({ ok: true }));
    const role: FastifyPluginAsync = async (scope) => {
      // fastify-plugin lifts HelloJohn's hook and decorations to this scope, and no further.
      await scope.register(fastifyHellojohn);
      scope.get("/ping", { onRequest: fastifyRequireAuth({ role: "admin" }) }, async () => ({ ok: true }));
    };
    for (const [prefix, plugin] of inOrder<[string, FastifyPluginAsync]>(["/bare", bare], ["/role", role])) await app.register(plugin, { prefix });
  } else if (withRole) {
    await app.register(fastifyHellojohn);
    app.get("/ping", { onRequest: fastifyRequireAuth({ role: "admin" }) }, async () => ({ ok: true }));
  } else if (withAuth) {
    await app.register(fastifyHellojohn);
    app.get("/ping", async (request, reply) => (request.hj.auth === null ? reply.code(401).send() : { ok: true }));
  } else {
    if (mode === "guard") app.addHook("onRequest", (_request, _reply, done) => done());
    app.get("/ping", async () => ({ ok: true }));
  }
  await app.listen({ port: 0, host: "127.0.0.1" });
  ready((app.server.address() as AddressInfo).port);
} else if (framework === "nestjs") {
  @Controller()
  class PingController {
    @Get("ping")
    ping() {
      return { ok: true };
    }
  }
  @Controller()
  class AdminPingController {
    @Roles("admin")
    @Get("ping")
    ping() {
      return { ok: true };
    }
  }
  @Controller("bare")
  class PairedBareController {
    @Get("ping")
    ping() {
      return { ok: true };
    }
  }
  @Controller("role")
  @UseGuards(HelloJohnGuard)
  class PairedRoleController {
    @Roles("admin")
    @Get("ping")
    ping() {
      return { ok: true };
    }
  }
  @Injectable()
  class AdmitAllGuard implements CanActivate {
    canActivate(): boolean {
      return true;
    }
  }
  const guard = withAuth ? [{ provide: APP_GUARD, useExisting: HelloJohnGuard }] : mode === "guard" ? [{ provide: APP_GUARD, useClass: AdmitAllGuard }] : [];
  const controllers = paired ? inOrder<Type>(PairedBareController, PairedRoleController) : [withRole ? AdminPingController : PingController];
  @Module({
    imports: withAuth || paired ? [HelloJohnModule.forRoot({})] : [],
    controllers,
    providers: guard,
  })
  class BenchModule {}
  const app = await NestFactory.create(BenchModule, { logger: false });
  await app.listen(0, "127.0.0.1");
  ready((app.getHttpServer().address() as AddressInfo).port);
} else {
  throw new Error(`unknown framework ${framework}`);
}
// Exit cleanly when stopped (Ctrl+C, or the bench ending) so that --cpu-prof can write its profile.
process.on("SIGINT", () => process.exit(0));
process.on("SIGTERM", () => process.exit(0));
