import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openApiDocument } from "../src/contract/openapi.js";
import { backends } from "./backends.js";
import { email, harness, type Harness } from "./helpers.js";

/**
 * Hostile requests against every operation of the OpenAPI document: values
 * shaped by each parameter's and body field's schema, mixed with NUL bytes,
 * lone surrogates, deep nesting, wrong types, huge strings, unknown fields,
 * malformed percent-encoding and replayed Idempotency-Keys. Any 5xx, any
 * request that hangs, or a 4xx outside the API's error format fails the run.
 * Seeded: a failure names its seed and request, and reproduces.
 */
const REQUESTS_PER_BACKEND = 5_000;
const CONCURRENCY = 8;
const HANG_MS = 10_000;
const PASSWORD = "TemporaryPass123!";

type Schema = { type?: string | string[]; properties?: Record<string, Schema>; $ref?: string; enum?: unknown[]; items?: Schema };
type OperationDoc = { operationId: string; parameters?: { name: string; in: string; schema: Schema }[]; requestBody?: { content: { "application/json": { schema: Schema } } } };

const document = openApiDocument("fuzz") as { paths: Record<string, Record<string, OperationDoc>>; components: { schemas: Record<string, Schema> } };
const resolve = (schema: Schema): Schema => (schema.$ref === undefined ? schema : (document.components.schemas[schema.$ref.split("/").pop() as string] as Schema));
const operations = Object.entries(document.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method: method.toUpperCase(), op })));

function generator(seed: number) {
  let state = seed >>> 0;
  const random = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const chance = (p: number): boolean => random() < p;
  return { random, pick, chance };
}

const HOSTILE_STRINGS = [
  "",
  " ",
  "x\u0000y",
  "\u0000",
  "a\uD800b",
  "\uDC00",
  "\uD83D",
  "%00",
  "%",
  "_",
  "\\",
  "' OR 1=1 --",
  "../../etc/passwd",
  "Zoë 😀 ‮reversed",
  "a".repeat(10_000),
  "usr_",
  "usr_01J9Z3K4M5N6P7Q8R9S0T1V2W3",
  "org_01J9Z3K4M5N6P7Q8R9S0T1V2W3",
  "ses_01J9Z3K4M5N6P7Q8R9S0T1V2W3",
  "🙂".repeat(300),
  "null",
  "1e309",
  "-1",
  "<script>alert(1)</script>",
  "a@b.co\u0000",
  "+14155550123",
  "https://example.com/a.png",
  "javascript:alert(1)",
];
const RAW_URL_VALUES = ["%00", "a%00b", "%ED%A0%80", "%E0%A4%A", "%FF", "%", "%25", "x%2Fy", "%C0%AF", encodeURIComponent("🙂"), "a+b", "..%2F"];

/** Percent-encodes like a careless client: a lone surrogate goes out as its (invalid) CESU-8 bytes. */
function encode(value: string): string {
  return value.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|[\s\S]/gu, (ch) => {
    const code = ch.codePointAt(0) as number;
    if (ch.length === 1 && code >= 0xd800 && code <= 0xdfff)
      return `%ED%${(0xa0 + ((code >> 6) & 0x1f)).toString(16).toUpperCase()}%${(0x80 + (code & 0x3f)).toString(16).toUpperCase()}`;
    return encodeURIComponent(ch);
  });
}

function nested(depth: number, arrays: boolean): string {
  return arrays ? `${"[".repeat(depth)}${"]".repeat(depth)}` : `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
}

describe.each(await backends())("fuzzing every operation on $name", (backend) => {
  let h: Harness;
  const ids: Record<string, string[]> = { usr: [], org: [], ses: [] };
  let refreshToken = "rt_none";

  beforeAll(async () => {
    h = await harness(backend);
    for (let i = 0; i < 3; i++) {
      const user = await h.hj.users.create({ email: email(`fuzz${i}`), password: PASSWORD });
      ids.usr?.push(user.id);
      ids.org?.push((await h.hj.organizations.create({ name: `Org ${i}` })).id);
      const signedIn = await h.hj.sessions.signInWithPassword({ email: user.email, password: PASSWORD });
      ids.ses?.push(signedIn.sessionId);
      refreshToken = signedIn.refreshToken;
    }
  });
  afterAll(async () => {
    await h.close();
  });

  it(`answers ${REQUESTS_PER_BACKEND.toLocaleString("en")} hostile requests without a 5xx, a hang or a crash`, async () => {
    const seed = Number(process.env.HELLOJOHN_FUZZ_SEED ?? 20261128) + (backend.name === "postgres" ? 1 : 0);
    const { random, pick, chance } = generator(seed);
    const { tenantId, secretKey, url } = h.t;

    const validFor = (name: string, schema: Schema): unknown => {
      const s = resolve(schema);
      if (s.enum !== undefined) return pick(s.enum);
      if (/user_id$/.test(name)) return pick(ids.usr as string[]);
      if (/org_id$/.test(name)) return pick(ids.org as string[]);
      if (/session_id$/.test(name)) return pick(ids.ses as string[]);
      if (name === "tenant_id") return tenantId;
      if (name === "email") return chance(0.5) ? email("f") : h.hj && pick(["a@b.co", "JANE@EXAMPLE.COM"]);
      if (name === "password") return PASSWORD;
      if (name === "refresh_token") return refreshToken;
      if (name === "reason") return "Support ticket";
      if (name === "limit" || name === "expires_in") return pick([1, 2, 50, 100, 3600]);
      if (name === "metadata") return { plan: "pro", nested: { a: [1, 2, { b: null }] } };
      const type = Array.isArray(s.type) ? s.type[0] : s.type;
      if (type === "boolean") return chance(0.5);
      if (type === "integer" || type === "number") return Math.floor(random() * 200) - 50;
      if (type === "object") return {};
      if (type === "array") return [];
      return pick(["Jane", "Doe", "x", "Acme"]);
    };
    const hostileValue = (): unknown => {
      const roll = random();
      if (roll < 0.45) return pick(HOSTILE_STRINGS);
      if (roll < 0.6) return pick([null, true, false, 0, -1, 1.5, 1e308, -1e308, 2 ** 53 + 1]);
      if (roll < 0.7) return pick([[], [1, "a"], {}, { "\u0000": 1 }, { "a\uD800": "b" }, { nested: { deep: ["x\u0000"] } }]);
      if (roll < 0.8) return Array.from({ length: Math.floor(random() * 300) }, () => pick(HOSTILE_STRINGS.slice(0, 12)));
      return { [pick(HOSTILE_STRINGS.slice(0, 14))]: pick(HOSTILE_STRINGS) };
    };

    const build = () => {
      const { path, method, op } = pick(operations);
      const params = op.parameters ?? [];
      let target = path;
      const query: string[] = [];
      for (const param of params) {
        if (param.in === "header") continue;
        const roll = random();
        let encoded: string;
        if (roll < 0.6) encoded = encode(String(validFor(param.name, param.schema)));
        else if (roll < 0.85) encoded = encode(String(hostileValue()).slice(0, 2_000));
        else encoded = pick(RAW_URL_VALUES);
        if (param.in === "path") target = target.replace(`{${param.name}}`, encoded === "" ? "x" : encoded);
        else if (chance(0.8)) query.push(`${encode(param.name)}=${encoded}`);
      }
      if (chance(0.05)) query.push(`${pick(RAW_URL_VALUES)}=${pick(RAW_URL_VALUES)}`);
      if (chance(0.05)) query.push("limit=1&limit=2");
      let body: string | undefined;
      const bodySchema = op.requestBody === undefined ? undefined : resolve(op.requestBody.content["application/json"].schema);
      if (bodySchema !== undefined || (method !== "GET" && chance(0.05))) {
        const roll = random();
        if (roll < 0.72) {
          const value: Record<string, unknown> = {};
          for (const [name, schema] of Object.entries(bodySchema?.properties ?? {})) {
            if (chance(0.7)) value[name] = chance(0.55) ? validFor(name, schema) : hostileValue();
          }
          if (chance(0.1)) value[pick(HOSTILE_STRINGS.slice(0, 10))] = hostileValue();
          body = JSON.stringify(value);
        } else if (roll < 0.84) {
          // Deep nesting, in a field or as the whole body.
          const field = pick([...Object.keys(bodySchema?.properties ?? {}), "metadata", "extra"]);
          const arrays = chance(0.6);
          const deep = nested(pick(arrays ? [33, 100, 3_000, 10_000, 20_000] : [33, 100, 3_000, 10_000]), arrays);
          const roll2 = random();
          if (roll2 < 0.4) body = `{"${field}":${deep}}`;
          else if (roll2 < 0.8) {
            // Otherwise valid, so it gets past validation to whatever runs next (fingerprints, services).
            const valid = Object.fromEntries(
              Object.entries(bodySchema?.properties ?? {})
                .filter(([name]) => name !== "metadata")
                .map(([name, schema]) => [name, validFor(name, schema)]),
            );
            body = `${JSON.stringify(valid).slice(0, -1)}${Object.keys(valid).length > 0 ? "," : ""}"metadata":{"a":${deep}}}`;
          } else body = deep;
        } else if (roll < 0.92) {
          body = JSON.stringify(hostileValue());
        } else {
          body = pick(['{"email":', "{not json", '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{}}}', "\u0000", '"\\ud800"', "[".repeat(50)]);
        }
      }
      const headers: Record<string, string> = {};
      const auth = random();
      if (auth < 0.85) headers.authorization = `Bearer ${secretKey}`;
      else if (auth < 0.9) headers.authorization = `bearer ${secretKey}`;
      else if (auth < 0.95) headers.authorization = `Bearer sk_${"x".repeat(40)}`;
      if (chance(0.95)) headers["hellojohn-tenant-id"] = chance(0.97) ? tenantId : pick(["ten_", "x", "ten_01J9Z3K4M5N6P7Q8R9S0T1V2W3"]);
      if (body !== undefined)
        headers["content-type"] = chance(0.95) ? "application/json" : pick(["text/plain", "application/x-www-form-urlencoded", "application/json; charset=latin1"]);
      if (chance(body !== undefined && body.length > 1_000 ? 0.7 : 0.4)) headers["idempotency-key"] = `fuzz-${Math.floor(random() * 200)}`;
      return { method, url: `${url}${target}${query.length > 0 ? `?${query.join("&")}` : ""}`, headers, body, operationId: op.operationId };
    };

    const failures: unknown[] = [];
    let sent = 0;
    const covered = new Set<string>();
    const worker = async () => {
      while (sent < REQUESTS_PER_BACKEND) {
        sent++;
        const request = build();
        covered.add(request.operationId);
        try {
          const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body, signal: AbortSignal.timeout(HANG_MS) });
          const text = await response.text();
          const problem =
            response.status >= 500
              ? "5xx"
              : response.headers.get("x-request-id") === null
                ? "no request ID"
                : response.status >= 400 && !/"error":\{"type":"[a-z_]+","code":"[a-z_]+"/.test(text)
                  ? "not the API's error format"
                  : undefined;
          if (problem !== undefined) failures.push({ problem, status: response.status, response: text.slice(0, 300), ...request, body: request.body?.slice(0, 300) });
        } catch (error) {
          failures.push({ problem: `no answer: ${(error as Error).name}: ${(error as Error).message}`, ...request, body: request.body?.slice(0, 300) });
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    expect({ seed, failures: failures.slice(0, 5), failed: failures.length }).toEqual({ seed, failures: [], failed: 0 });
    expect([...covered].sort()).toEqual(operations.map((o) => o.op.operationId).sort());
    expect((await fetch(`${url}/health`)).status).toBe(200);
  });
});
