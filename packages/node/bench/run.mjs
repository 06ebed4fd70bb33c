// pnpm bench (from the repository root) — prints, never asserts.
// 1. Added latency of hj.users.get over raw fetch of the same URL, side by side on one loopback server.
// 2. Cold import time of the package in a fresh process.
// 3. Size of the package minified and gzipped.
// 4. Token verification: first sight of a token vs a repeat.
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { HelloJohn } from "../dist/index.js";

const TENANT = "ten_01J9Z3K4M5N6P7Q8R9S0T1V2W3";
const KEY = "sk_01J9Z3K4M5N6P7Q8R9S0T1V2W4_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const USER_ID = "usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3";
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};
const fmt = (n, digits = 1) => n.toFixed(digits);

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const body = JSON.stringify({
  id: USER_ID,
  email: "jane@example.com",
  email_verified: true,
  first_name: "Jane",
  last_name: "Doe",
  phone_number: null,
  avatar_url: null,
  metadata: { plan: "pro", flags: { beta: true } },
  created_at: "2026-01-02T03:04:05.000Z",
  updated_at: "2026-01-02T03:04:05.000Z",
  last_sign_in_at: null,
  disabled: false,
});
const jwks = JSON.stringify({ keys: [{ ...publicKey.export({ format: "jwk" }), kid: "kid_1", alg: "EdDSA", use: "sig" }] });
const server = createServer((req, res) => {
  res.writeHead(200, { "content-type": "application/json", "x-request-id": "req_bench" });
  res.end(req.url.endsWith("jwks.json") ? jwks : body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const hj = new HelloJohn({ tenantId: TENANT, secretKey: KEY, baseUrl });
const url = `${baseUrl}/v1/users/${USER_ID}`;
const headers = { authorization: `Bearer ${KEY}`, "hellojohn-tenant-id": TENANT };

// 1. Latency: interleaved so both see the same machine state.
const ROUNDS = 4000;
const sdk = [];
const raw = [];
for (let i = 0; i < ROUNDS + 500; i++) {
  let t = performance.now();
  await hj.users.get(USER_ID);
  const a = performance.now() - t;
  t = performance.now();
  await (await fetch(url, { headers })).json();
  const b = performance.now() - t;
  if (i >= 500) {
    sdk.push(a);
    raw.push(b);
  }
}
const sdkMedian = median(sdk) * 1000;
const rawMedian = median(raw) * 1000;
console.log(`users.get vs raw fetch, ${ROUNDS} interleaved requests on loopback`);
console.log(`  raw fetch + JSON.parse   median ${fmt(rawMedian)} µs`);
console.log(`  hj.users.get             median ${fmt(sdkMedian)} µs`);
console.log(`  added by the SDK         ${fmt(sdkMedian - rawMedian)} µs per request (ratio ${fmt(sdkMedian / rawMedian, 3)}; target ≤ 100 µs)`);

// 2. Cold import in fresh processes, against an empty script in the same processes' shape.
const entry = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const time = (code) => Number(execFileSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8" }));
const imports = [];
const baseline = [];
for (let i = 0; i < 15; i++) {
  imports.push(time(`const t = performance.now(); await import(${JSON.stringify(entry)}); process.stdout.write(String(performance.now() - t));`));
  baseline.push(time(`const t = performance.now(); await import("node:crypto"); process.stdout.write(String(performance.now() - t));`));
}
console.log(`\ncold import of @hellojohn/node (ESM, 15 fresh processes)`);
console.log(`  median ${fmt(median(imports), 2)} ms (node:crypto alone: ${fmt(median(baseline), 2)} ms; target ≤ 30 ms)`);

// 3. Size.
const bundle = await build({ entryPoints: [entry], bundle: true, minify: true, platform: "node", format: "esm", write: false, logLevel: "silent" });
const code = bundle.outputFiles[0].contents;
console.log(`\nsize: ${fmt(code.length / 1024)} kB minified, ${fmt(gzipSync(code).length / 1024, 2)} kB minified + gzipped (target ≤ 15 kB)`);

// 4. Token verification.
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const tokens = Array.from({ length: 2000 }, (_, i) => {
  const h = b64({ alg: "EdDSA", typ: "JWT", kid: "kid_1" });
  const p = b64({ iss: `${baseUrl}/v1/tenants/${TENANT}`, sub: `usr_${i}`, sid: `ses_${i}`, tid: TENANT, iat: now, nbf: now, exp: now + 900 });
  return `${h}.${p}.${sign(null, Buffer.from(`${h}.${p}`), privateKey).toString("base64url")}`;
});
await hj.verifyToken(tokens[0]);
let t = performance.now();
for (const token of tokens.slice(1)) await hj.verifyToken(token);
const first = ((performance.now() - t) * 1000) / (tokens.length - 1);
t = performance.now();
for (let i = 0; i < 20000; i++) await hj.verifyToken(tokens[1 + (i % 1000)]);
const repeat = ((performance.now() - t) * 1000) / 20000;
console.log(`\nverifyToken: ${fmt(first)} µs for a token seen first (Ed25519 signature check), ${fmt(repeat, 2)} µs for a repeat (ratio ${fmt(first / repeat)}×)`);

server.close();
