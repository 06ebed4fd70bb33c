import { execFile, spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { createServer, type AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { startTestServer, type TestServer } from "@hellojohn/server/testing";
import { EdgeRuntime } from "edge-runtime";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Every runtime runs src/scenario.mjs with the BUILT @hellojohn/node (packages/node/dist), never its sources:
// Node, Bun and Deno import dist/index.js as is; workerd and edge-runtime get it bundled by esbuild for the
// browser platform, as wrangler and Vercel do, so a `node:` import or a `Buffer` would fail here.
const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = (name: string, from = require): string => dirname(from.resolve(`${name}/package.json`));
const sdkEntry = join(packageDir("@hellojohn/node"), "dist", "index.js");
const nodeVersions = createRequire(join(packageDir("@hellojohn-examples/node-versions"), "package.json"));
const optionalPackageDir = (name: string, from: NodeJS.Require): string => {
  try {
    return packageDir(name, from);
  } catch {
    return "/nonexistent";
  }
};

/** The runtimes' binaries, installed by pnpm from the npm registry (see README). */
const binaries = {
  node22: join(optionalPackageDir("node22", nodeVersions), "bin", "node"),
  node24: join(optionalPackageDir("node24", nodeVersions), "bin", "node"),
  bun: join(optionalPackageDir("bun", require), "bin", "bun.exe"),
  deno: join(optionalPackageDir("deno", require), "deno"),
  workerd: join(optionalPackageDir("workerd", require), "bin", "workerd"),
};

interface Result {
  created: { id: string; createdAtIsDate: boolean };
  page: { ids: string[]; total: number };
  updated: { lastName: string | null; metadata: Record<string, unknown> };
  verified: { userId: string; sessionId: string; expiresAtIsDate: boolean };
  remembered: boolean;
  tampered: string;
  globals: { Buffer: string; process: string };
}

let server: TestServer;
let work: string;
const run = promisify(execFile);

beforeAll(async () => {
  server = await startTestServer();
  work = mkdtempSync(join(tmpdir(), "hellojohn-runtimes-"));
});
afterAll(async () => {
  await server?.close();
  rmSync(work, { recursive: true, force: true });
});

const config = (runtime: string) => ({
  tenantId: server.tenantId,
  secretKey: server.secretKey,
  baseUrl: server.url,
  email: `${runtime}@runtimes.example.com`,
  password: "Runtime-matrix-1",
  runtime,
});

/** Node, Bun, Deno: the CLI runner, as a child process (async, so this process's server keeps answering). */
async function viaCli(runtime: string, command: string, args: string[]): Promise<Result> {
  const { stdout } = await run(command, [...args, join(here, "cli.mjs"), pathToFileURL(sdkEntry).href, JSON.stringify(config(runtime))], {
    cwd: here,
    timeout: 50_000,
    env: { ...process.env, NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" },
  });
  return JSON.parse(stdout) as Result;
}

async function bundle(entry: string, format: "esm" | "iife"): Promise<string> {
  const result = await build({ entryPoints: [join(here, entry)], bundle: true, format, platform: "browser", write: false, logLevel: "silent" });
  return result.outputFiles[0]?.text ?? "";
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** workerd: the worker bundled, served on a loopback socket with outbound access to loopback only. */
async function viaWorkerd(): Promise<Result> {
  const dir = mkdtempSync(join(work, "workerd-"));
  writeFileSync(join(dir, "worker.js"), await bundle("worker.mjs", "esm"));
  const port = await freePort();
  writeFileSync(
    join(dir, "config.capnp"),
    `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [
    (name = "main", worker = .worker),
    (name = "loopback", network = (allow = ["local"])),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "main")],
);
const worker :Workerd.Worker = (
  modules = [(name = "worker.js", esModule = embed "worker.js")],
  compatibilityDate = "2025-01-01",
  globalOutbound = "loopback",
);
`,
  );
  const child = spawn(binaries.workerd, ["serve", join(dir, "config.capnp")], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await fetch(`http://127.0.0.1:${port}/`, { method: "POST", body: JSON.stringify(config("workerd")) }).catch(() => undefined);
      if (response !== undefined) {
        const body = (await response.json()) as Result & { error?: string };
        if (body.error !== undefined) throw new Error(`workerd: ${body.error}\n${stderr}`);
        return body;
      }
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`workerd did not serve: ${stderr}`);
  } finally {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid);
  }
}

/** Vercel's edge-runtime: the function bundled, dispatched one fetch event. */
async function viaEdgeRuntime(): Promise<Result> {
  const runtime = new EdgeRuntime({ initialCode: await bundle("edge.mjs", "iife") });
  const response = await runtime.dispatchFetch("http://edge.local/", { method: "POST", body: JSON.stringify(config("edge-runtime")) });
  const body = (await response.json()) as Result & { error?: string };
  if (body.error !== undefined) throw new Error(`edge-runtime: ${body.error}`);
  return body;
}

const runtimes: [name: string, binary: string | undefined, go: () => Promise<Result>][] = [
  [`node ${process.version} (this machine's)`, process.execPath, () => viaCli("node20", process.execPath, [])],
  ["node 22", binaries.node22, () => viaCli("node22", binaries.node22, [])],
  ["node 24", binaries.node24, () => viaCli("node24", binaries.node24, [])],
  ["bun", binaries.bun, () => viaCli("bun", binaries.bun, [])],
  ["deno", binaries.deno, () => viaCli("deno", binaries.deno, ["run", "--no-config", "--allow-net=127.0.0.1", `--allow-read=${dirname(sdkEntry)}`])],
  ["workerd", binaries.workerd, viaWorkerd],
  ["edge-runtime", undefined, viaEdgeRuntime],
];

describe("the built @hellojohn/node on every runtime", () => {
  it.each(runtimes)("%s: create, list page, update, and verifyToken first sight and remembered", async (name, binary, go) => {
    if (binary !== undefined && !existsSync(binary)) {
      // The binaries come from platform packages (optionalDependencies); only CI insists on all of them.
      if (process.env.CI === "true") throw new Error(`${name} is not installed at ${binary}: run pnpm install`);
      console.warn(`Skipping ${name}: no binary for this platform at ${binary}`);
      return;
    }
    const result = await go();
    const runtime = result.created.id === "" ? "" : ((await server.client.users.get(result.created.id)).metadata.runtime as string);
    expect(result).toEqual({
      created: { id: expect.stringMatching(/^usr_/), createdAtIsDate: true },
      page: { ids: [result.created.id], total: 1 },
      updated: { lastName: "Lovelace", metadata: { runtime, step: "updated" } },
      verified: { userId: result.created.id, sessionId: expect.stringMatching(/^ses_/), expiresAtIsDate: true },
      remembered: true,
      tampered: "TokenVerificationError: invalid_signature",
      globals: expect.any(Object),
    });
    // The server really holds what the runtime did.
    expect(await server.client.users.get(result.created.id)).toMatchObject({ firstName: "Ada", lastName: "Lovelace", lastSignInAt: expect.any(Date) });
    if (name === "workerd") expect(result.globals).toEqual({ Buffer: "undefined", process: "undefined" });
  });
});
