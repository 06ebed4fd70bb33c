import { readFileSync } from "node:fs";
import { Ajv2020 } from "ajv/dist/2020.js";
import { describe, expect, it } from "vitest";
import { VERSION } from "../app.js";
import { openApiDocument } from "./openapi.js";
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
});
