import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { VERSION } from "../app.js";
import { errorStatuses, openApiDocument } from "./openapi.js";
import { operations } from "./operations.js";

const document = openApiDocument(VERSION) as { paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, unknown> } };

describe("the OpenAPI document", () => {
  it("is what the committed openapi.json says (run `pnpm --filter @hellojohn/server openapi` after changing the contract)", () => {
    const committed: unknown = JSON.parse(readFileSync(new URL("../../openapi.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it("describes every operation once, and every schema it references exists and compiles", () => {
    const seen = operations.map((op) => `${op.method} ${op.path}`);
    expect(new Set(seen).size).toBe(seen.length);
    for (const op of operations) expect(document.paths[op.path]?.[op.method.toLowerCase()]).toBeDefined();
    const ajv = new Ajv2020({ strict: false });
    ajv.addSchema({ $id: "openapi", ...document });
    for (const name of Object.keys(document.components.schemas)) {
      expect(ajv.getSchema(`openapi#/components/schemas/${name}`), name).toBeDefined();
    }
    const refs = JSON.stringify(document).match(/#\/components\/schemas\/\w+/g) ?? [];
    for (const ref of refs) expect(document.components.schemas).toHaveProperty(ref.split("/").pop() as string);
  });

  it("lists every error status an operation can answer, derived from its shape", () => {
    const listed = (id: string): string[] => {
      const op = operations.find((o) => o.operationId === id);
      if (op === undefined) throw new Error(`no operation ${id}`);
      const described = document.paths[op.path]?.[op.method.toLowerCase()] as { responses: Record<string, unknown> } | undefined;
      if (described === undefined) throw new Error(`openapi.json does not describe ${id}`);
      return Object.keys(described.responses);
    };
    // Operations that hash a password can also be a 503 (hashing admission control).
    expect(listed("createUser")).toEqual(["201", "400", "401", "409", "413", "415", "422", "429", "503", "default"].sort());
    expect(listed("getUser")).toEqual(["200", "400", "401", "404", "429", "default"]);
    expect(listed("signIn")).toEqual(["200", "400", "401", "403", "404", "413", "415", "429", "503", "default"]);
    expect(listed("health")).toEqual(["200", "400", "429", "default"]);
    expect(listed("listEvents")).toEqual(["200", "400", "401", "404", "429", "default"]);
    for (const op of operations) expect(listed(op.operationId)).toEqual(expect.arrayContaining(errorStatuses(op).map(String)));
  });

  it("names its servers and its license (Redocly's recommended rules; `pnpm lint` runs them)", () => {
    expect(document).toMatchObject({ servers: [{ url: "https://api.hellojohn.dev" }, { url: "http://127.0.0.1:8787" }], info: { license: { name: "MIT" } } });
  });
});
