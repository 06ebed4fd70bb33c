import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

// Packs the built package and uses it from throw-away projects exactly as a user would.
const root = new URL("..", import.meta.url).pathname;
let work: string;
let tarball: string;

const run = (cwd: string, file: string, code: string): string => {
  writeFileSync(join(cwd, file), code);
  return execFileSync(process.execPath, [file], { cwd, encoding: "utf8", env: { ...process.env, HELLOJOHN_TENANT_ID: "", HELLOJOHN_SECRET_KEY: "" } });
};

function project(type: "module" | "commonjs"): string {
  const dir = join(work, type);
  execFileSync("mkdir", ["-p", dir]);
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: `consumer-${type}`, private: true, type }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--ignore-scripts", "--offline", tarball], { cwd: dir, stdio: "pipe" });
  return dir;
}

const PROBE = `
  const client = new HelloJohn({ tenantId: "ten_01J9Z3K4M5N6P7Q8R9S0T1V2W3", secretKey: "sk_01J9Z3K4M5N6P7Q8R9S0T1V2W4_abcdefghijklmnopqrstuvwxyz012" });
  let missing;
  try { new HelloJohn(); } catch (e) { missing = e; }
  console.log(JSON.stringify({
    users: typeof client.users.list, verify: typeof client.verifyToken,
    missing: missing && missing.name, guard: isHelloJohnError(missing), version: VERSION,
  }));
`;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "hellojohn-pack-"));
  execFileSync("npm", ["pack", "--pack-destination", work], { cwd: root, stdio: "pipe" });
  const file = readdirSync(work).find((f) => f.endsWith(".tgz"));
  if (file === undefined) throw new Error("npm pack produced no tarball");
  tarball = join(work, file);
}, 120_000);
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("the published package", () => {
  const expected = { users: "function", verify: "function", missing: "ConfigurationError", guard: true, version: expect.stringMatching(/^\d+\.\d+\.\d+/) };

  it("imports from an ESM project", () => {
    const dir = project("module");
    const out = run(dir, "probe.mjs", `import { HelloJohn, isHelloJohnError, VERSION } from "@hellojohn/node";\n${PROBE}`);
    expect(JSON.parse(out)).toEqual(expected);
  }, 120_000);

  it("requires from a CommonJS project", () => {
    const dir = project("commonjs");
    const out = run(dir, "probe.cjs", `const { HelloJohn, isHelloJohnError, VERSION } = require("@hellojohn/node");\n${PROBE}`);
    expect(JSON.parse(out)).toEqual(expected);
  }, 120_000);

  it("bundles for the browser platform (workers, edge) with no Node built-in and no Buffer", async () => {
    // esbuild refuses a `node:` import for the browser platform; Buffer would be an undefined global there.
    const bundle = await build({ entryPoints: [join(root, "dist", "index.js")], bundle: true, platform: "browser", format: "esm", write: false, logLevel: "silent" });
    const code = bundle.outputFiles[0]?.text ?? "";
    expect(code).toContain("crypto.subtle.verify");
    // Uses, not mentions: an error message may name Buffer as something a caller passes.
    expect(code.match(/\bBuffer\s*[.(]|\bprocess\.(?!env\b|version\b|platform\b|arch\b)|require\(/g)).toBeNull();
  });
});
