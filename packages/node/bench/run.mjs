// pnpm bench (from the repository root) — prints, never asserts.
// 1. Added latency of hj.users.get over raw fetch of the same URL on one loopback server,
//    with Stripe's and OpenAI's SDKs measured the same way, interleaved, in the same run.
// 2. Cold import time in fresh processes, for the same three SDKs.
// 3. Size bundled, minified and gzipped, for the same three SDKs.
// 4. Token verification: first sight of a token vs a repeat, for this build (Web Crypto) and, side by side,
//    for the SDK as it was before the switch from node:crypto (built from git history, commit BEFORE_WEB_CRYPTO).
import { execFileSync } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:http";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import OpenAI from "openai";
import Stripe from "stripe";
import { HelloJohn } from "../dist/index.js";

const TENANT = "ten_01J9Z3K4M5N6P7Q8R9S0T1V2W3";
const KEY = "sk_01J9Z3K4M5N6P7Q8R9S0T1V2W4_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
const USER_ID = "usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3";
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const fmt = (n, digits = 1) => n.toFixed(digits);
const OURS = "@hellojohn/node";

const { publicKey, privateKey } = generateKeyPairSync("ed25519");
const body = JSON.stringify({
  id: USER_ID,
  object: "customer",
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
  if (req.url.endsWith("/openid-configuration")) return res.end(JSON.stringify({ issuer: `${baseUrl}/v1/tenants/${TENANT}` }));
  res.end(req.url.endsWith("jwks.json") ? jwks : body);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;
const hj = new HelloJohn({ tenantId: TENANT, secretKey: KEY, baseUrl });
const url = `${baseUrl}/v1/users/${USER_ID}`;
const headers = { authorization: `Bearer ${KEY}`, "hellojohn-tenant-id": TENANT };

// 1. Latency, interleaved so every contender sees the same machine state.
const stripe = new Stripe("sk_test_bench", { host: "127.0.0.1", port: server.address().port, protocol: "http", maxNetworkRetries: 0 });
const openai = new OpenAI({ apiKey: "sk-bench", baseURL: `${baseUrl}/v1`, maxRetries: 0 });
const contenders = {
  "raw fetch + JSON.parse": () => fetch(url, { headers }).then((r) => r.json()),
  [`${OURS} users.get`]: () => hj.users.get(USER_ID),
  "stripe customers.retrieve": () => stripe.customers.retrieve("cus_bench"),
  "openai models.retrieve": () => openai.models.retrieve("model-bench"),
};
const ROUNDS = 3000;
const samples = Object.fromEntries(Object.keys(contenders).map((name) => [name, []]));
const order = Object.entries(contenders);
for (let i = 0; i < ROUNDS + 500; i++) {
  // Rotate who goes first, so no contender always follows the same one.
  for (let k = 0; k < order.length; k++) {
    const [name, call] = order[(i + k) % order.length];
    const t = performance.now();
    await call();
    if (i >= 500) samples[name].push(performance.now() - t);
  }
}
const rawMedian = median(samples["raw fetch + JSON.parse"]) * 1000;
console.log(`Latency per request, median of ${ROUNDS} interleaved requests each against one loopback server`);
for (const [name, values] of Object.entries(samples)) {
  const m = median(values) * 1000;
  const added = name.startsWith("raw") ? "" : `   adds ${fmt(m - rawMedian).padStart(6)} µs over raw fetch`;
  console.log(`  ${name.padEnd(28)} ${fmt(m).padStart(7)} µs${added}${name.startsWith(OURS) ? " (target ≤ 100 µs)" : ""}`);
}

// 2. Cold import in fresh processes.
const entries = {
  [OURS]: fileURLToPath(new URL("../dist/index.js", import.meta.url)),
  stripe: fileURLToPath(import.meta.resolve("stripe")),
  openai: fileURLToPath(import.meta.resolve("openai")),
};
const timeImport = (file) =>
  Number(
    execFileSync(
      process.execPath,
      ["--input-type=module", "-e", `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`],
      {
        encoding: "utf8",
      },
    ),
  );
console.log("\nCold import, median of 15 fresh processes each");
for (const [name, file] of Object.entries(entries)) {
  const runs = Array.from({ length: 15 }, () => timeImport(file));
  console.log(`  ${name.padEnd(16)} ${fmt(median(runs), 2).padStart(7)} ms${name === OURS ? " (target ≤ 30 ms)" : ""}`);
}

// 3. Size.
console.log("\nSize, bundled by esbuild and minified");
for (const [name, file] of Object.entries(entries)) {
  const bundle = await build({ entryPoints: [file], bundle: true, minify: true, platform: "node", format: "esm", write: false, logLevel: "silent" });
  const code = bundle.outputFiles[0].contents;
  console.log(
    `  ${name.padEnd(16)} ${fmt(code.length / 1024).padStart(7)} kB, ${fmt(gzipSync(code).length / 1024, 2).padStart(7)} kB gzipped${name === OURS ? " (target ≤ 15 kB)" : ""}`,
  );
}

// 4. Token verification, this build vs the SDK before the switch to Web Crypto, interleaved rounds.
const BEFORE_WEB_CRYPTO = "4afcd75"; // the last commit whose core used node:crypto and Buffer
async function sdkBeforeWebCrypto() {
  const dir = mkdtempSync(join(tmpdir(), "hellojohn-bench-"));
  try {
    const root = execFileSync("git", ["rev-parse", "--show-toplevel"], { encoding: "utf8" }).trim();
    execFileSync("sh", ["-c", `git -C "${root}" archive ${BEFORE_WEB_CRYPTO} packages/node/src | tar -x -C "${dir}"`]);
    const outfile = join(dir, "before.mjs");
    await build({
      entryPoints: [join(dir, "packages/node/src/index.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile,
      define: { __SDK_VERSION__: '"before"' },
      logLevel: "silent",
    });
    return (await import(outfile)).HelloJohn;
  } catch (error) {
    console.log(`\n(The SDK before Web Crypto could not be built from git commit ${BEFORE_WEB_CRYPTO}: ${error.message.split("\n")[0]})`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
const now = Math.floor(Date.now() / 1000);
const makeTokens = (n, tag) =>
  Array.from({ length: n }, (_, i) => {
    const h = b64({ alg: "EdDSA", typ: "JWT", kid: "kid_1" });
    const p = b64({ iss: `${baseUrl}/v1/tenants/${TENANT}`, sub: `usr_${tag}${i}`, sid: `ses_${i}`, tid: TENANT, iat: now, nbf: now, exp: now + 900 });
    return `${h}.${p}.${sign(null, Buffer.from(`${h}.${p}`), privateKey).toString("base64url")}`;
  });
const Before = await sdkBeforeWebCrypto();
// Fresh clients for both (the latency section's client has a history), and the order alternates per round.
const verifiers = { "this build (Web Crypto)": new HelloJohn({ tenantId: TENANT, secretKey: KEY, baseUrl }) };
if (Before !== undefined) verifiers[`before (node:crypto, ${BEFORE_WEB_CRYPTO})`] = new Before({ tenantId: TENANT, secretKey: KEY, baseUrl });
for (const client of Object.values(verifiers)) await client.verifyToken(makeTokens(1, "warm")[0]);
const firstSight = Object.fromEntries(Object.keys(verifiers).map((name) => [name, []]));
const repeat = Object.fromEntries(Object.keys(verifiers).map((name) => [name, []]));
for (let round = 0; round < 6; round++) {
  const entries = Object.entries(verifiers);
  for (const [name, client] of round % 2 === 0 ? entries : entries.reverse()) {
    const fresh = makeTokens(300, `${round}-${name}`);
    let t = performance.now();
    for (const token of fresh) await client.verifyToken(token);
    firstSight[name].push(((performance.now() - t) * 1000) / fresh.length);
    t = performance.now();
    for (let i = 0; i < 6000; i++) await client.verifyToken(fresh[i % fresh.length]);
    repeat[name].push(((performance.now() - t) * 1000) / 6000);
  }
}
console.log("\nverifyToken, median of 6 interleaved rounds (300 new tokens, then 6,000 repeats, per round)");
for (const name of Object.keys(verifiers)) {
  const f = median(firstSight[name]);
  const r = median(repeat[name]);
  console.log(`  ${name.padEnd(32)} first sight ${fmt(f).padStart(6)} µs (Ed25519 signature check), remembered ${fmt(r, 2).padStart(5)} µs (${fmt(f / r)}× faster)`);
}
if (Before !== undefined) {
  const [now_, before] = Object.keys(verifiers);
  console.log(
    `  Web Crypto / node:crypto: first sight ${fmt(median(firstSight[now_]) / median(firstSight[before]), 2)}×, remembered ${fmt(median(repeat[now_]) / median(repeat[before]), 2)}×`,
  );
}

server.close();
