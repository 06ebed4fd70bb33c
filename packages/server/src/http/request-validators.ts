import { Ajv, type AnySchema, type ValidateFunction } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

/**
 * Request validation with two Ajv instances: query strings and path params
 * arrive as text and are coerced (`?limit=10`), bodies are JSON and are
 * not (`{"first_name": 42}` is a 400, never the string "42"). Unknown fields
 * are kept so that the schema's `additionalProperties: false` can name them.
 * `verbose` gives each issue the schema that failed, so a field's own error
 * code (`x-error-code`) can answer for it.
 */
export function requestValidators(shared: unknown[]): FastifySchemaCompiler<AnySchema> {
  const make = (coerceTypes: boolean): Ajv => {
    const ajv = new Ajv({ coerceTypes, useDefaults: true, removeAdditional: false, allErrors: false, strict: false, verbose: true });
    for (const schema of shared) ajv.addSchema(schema as AnySchema);
    return ajv;
  };
  const forText = make(true);
  const forBody = make(false);
  return ({ schema, httpPart }) => {
    const validate: ValidateFunction = (httpPart === "body" ? forBody : forText).compile(schema);
    return (data: unknown) => (validate(data) ? { value: data } : { error: Object.assign(new Error("validation failed"), { validation: validate.errors }) });
  };
}
