import { spawn } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startTestServer } from "@hellojohn/server/testing";
import { beforeAll, describe, expect, it } from "vitest";
import { moduleName, readmePrograms, toModule } from "./readme-programs.js";

const HERE = fileURLToPath(new URL("..", import.meta.url));
const GENERATED = join(HERE, ".generated");
const require = createRequire(import.meta.url);

/** Runs a command to its end (bounded by `timeoutMs`), collecting its output. */
function run(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs: number }): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd: options.cwd ?? HERE, env: options.env ?? process.env });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => void (output += chunk.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const programs = readmePrograms();
const modules = programs.map((program) => ({ program, file: moduleName(program), ...toModule(program) }));

beforeAll(() => {
  rmSync(GENERATED, { recursive: true, force: true });
  mkdirSync(GENERATED, { recursive: true });
  for (const { file, source } of modules) writeFileSync(join(GENERATED, file), source);
  // The strict settings the packages are built with, plus decorators for the NestJS README.
  writeFileSync(
    join(GENERATED, "tsconfig.json"),
    JSON.stringify({
      extends: "../../../tsconfig.base.json",
      compilerOptions: { noEmit: true, experimentalDecorators: true, emitDecoratorMetadata: true },
      include: ["*.ts"],
    }),
  );
});

describe("README code", () => {
  it("finds the TypeScript of every package's README", () => {
    const readmes = programs.map((p) => p.readme);
    for (const name of ["node", "express", "fastify", "nestjs", "server"]) expect(readmes).toContain(`packages/${name}/README.md`);
  });

  it("type-checks under strict, every README read as one program", async () => {
    const { code, output } = await run(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", join(GENERATED, "tsconfig.json")], { timeoutMs: 120_000 });
    // file.ts(12,5): error TS… → packages/node/README.md:40: error TS…
    const errors = output
      .split("\n")
      .filter((line) => /error TS\d+/.test(line))
      .map((line) => {
        const match = /^(?:.*[\\/])?([^\\/(]+\.ts)\((\d+),\d+\): (.*)$/.exec(line);
        const module = modules.find((m) => m.file === match?.[1]);
        return module === undefined || match === null ? line : `${module.program.readme}:${module.readmeLine(Number(match[2]))}: ${match[3]}`;
      });
    expect(errors).toEqual([]);
    expect(code).toBe(0);
  });

  const runnable = modules.filter((m) => m.program.runnable);
  it("marks the SDK's and the server's READMEs runnable", () => {
    expect(runnable.map((m) => m.program.readme)).toEqual(expect.arrayContaining(["packages/node/README.md", "packages/server/README.md"]));
  });

  it.each(runnable.map((m) => [m.program.readme, m] as const))("runs %s to completion against a real HelloJohn server", async (_readme, { file }) => {
    const server = await startTestServer();
    try {
      const env = { ...process.env, ...server.env, NODE_ENV: "test" };
      const { code, output } = await run(process.execPath, ["--import", "tsx", join(GENERATED, file)], { env, cwd: GENERATED, timeoutMs: 40_000 });
      expect({ code, output }).toMatchObject({ code: 0 });
    } finally {
      await server.close();
    }
  });
});
