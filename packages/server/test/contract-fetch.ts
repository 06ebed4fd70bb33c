import type { FetchLike } from "@hellojohn/node";
import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { errorStatuses } from "../src/contract/openapi.js";
import { openApiDocument, operations, type Operation } from "../src/index.js";

interface CompiledOperation {
  op: Operation;
  pattern: RegExp;
  body?: ValidateFunction;
  success: ValidateFunction;
}

/**
 * Validates every request the SDK sends and every response it receives
 * against the OpenAPI document, through an injected `fetch`.
 */
export class ContractChecker {
  readonly violations: string[] = [];
  readonly seen = new Set<string>();
  readonly #ops: CompiledOperation[];
  readonly #error: ValidateFunction;

  constructor() {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv2020) => void)(ajv);
    ajv.addSchema({ $id: "openapi", ...openApiDocument("test") });
    const schema = (name: string): ValidateFunction => {
      const fn = ajv.getSchema(`openapi#/components/schemas/${name}`);
      if (fn === undefined) throw new Error(`no schema ${name}`);
      return fn;
    };
    this.#error = schema("Error");
    this.#ops = operations.map((op) => ({
      op,
      pattern: new RegExp(`^${op.path.replace(/\{\w+\}/g, "[^/]+")}$`),
      body: op.body === undefined ? undefined : schema(op.body),
      success: schema(op.success.schema),
    }));
  }

  #check(what: string, validate: ValidateFunction, value: unknown): void {
    if (!validate(value)) this.violations.push(`${what}: ${JSON.stringify(validate.errors)}`);
  }

  /** Wraps `inner` (default: global fetch) so that every exchange is checked. */
  fetch(inner: FetchLike = globalThis.fetch): FetchLike {
    return async (input, init) => {
      const url = new URL(input);
      const method = (init.method ?? "GET").toUpperCase();
      const match = this.#ops.find((o) => o.op.method === method && o.pattern.test(url.pathname));
      if (match === undefined) {
        this.violations.push(`${method} ${url.pathname} is not in the OpenAPI document`);
        return inner(input, init);
      }
      this.seen.add(match.op.operationId);
      const label = `${match.op.operationId} ${method} ${url.pathname}`;
      // A request outside the contract (tests send some on purpose) must be refused with a 4xx.
      const requestValid = match.body === undefined || match.body(JSON.parse(String(init.body ?? "{}")));
      const requestErrors = JSON.stringify(match.body?.errors);
      const known = new Set<string>((match.op.parameters ?? []).filter((p) => p.in === "query").map((p) => p.name));
      for (const key of url.searchParams.keys()) if (!known.has(key)) this.violations.push(`${label}: unknown query parameter ${key}`);
      const response = await inner(input, init);
      if (!requestValid && (response.status < 400 || response.status >= 500)) {
        this.violations.push(`${label}: request outside the contract answered ${response.status}: ${requestErrors}`);
      }
      const text = await response.clone().text();
      const body: unknown = text === "" ? undefined : JSON.parse(text);
      if (response.status === match.op.success.status) this.#check(`${label} response`, match.success, body);
      else if (response.status >= 400) {
        this.#check(`${label} error ${response.status}`, this.#error, body);
        // Every 4xx an operation answers is listed for it in the document (5xx are its `default`).
        if (response.status < 500 && !errorStatuses(match.op).includes(response.status)) {
          this.violations.push(`${label}: answered ${response.status}, which the document does not list for it`);
        }
      } else this.violations.push(`${label}: undocumented status ${response.status}`);
      if (response.headers.get("x-request-id") === null) this.violations.push(`${label}: no x-request-id header`);
      return response;
    };
  }
}
