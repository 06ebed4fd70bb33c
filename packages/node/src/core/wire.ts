import type { components, paths } from "../generated/openapi.js";
import { ValidationError } from "./errors.js";
import type { ListPage } from "./page-promise.js";

// The wire format is snake_case JSON with ISO-8601 dates, as the server's
// openapi.json describes it. Only the resources' *.serializer.ts files read or
// write it, through the helpers here.

/**
 * The JSON shape of a schema of the server's `openapi.json`, generated from it
 * at build time (scripts/generate-wire.mjs).
 * @internal
 */
export type Wire<Name extends keyof components["schemas"]> = components["schemas"][Name];

/**
 * Compiles only when `unmapped` has no keys. A deserializer destructures every
 * wire key it maps and passes the rest here, so a field the schema gains that
 * the SDK does not map fails the type check.
 * @internal
 */
export function mapsEveryKey(_unmapped: Record<string, never>): void {}

/** @internal */
export const wireDate = (value: string): Date => new Date(value);
/** @internal */
export const wireNullableDate = (value: string | null | undefined): Date | null => (value == null ? null : new Date(value));

/**
 * A wire page: the items, the next cursor, and `total` for lists that count.
 * @internal
 */
export interface WirePage<WireItem> {
  data: WireItem[];
  next_cursor: string | null;
  total?: number;
}

/**
 * One deserializer for every list: the items under the resource's name
 * (`users`, `sessions`, …), the next cursor, and the total.
 * @internal
 */
export function deserializeList<Key extends string, WireItem, Item>(
  key: Key,
  item: (wire: WireItem) => Item,
): (wire: WirePage<WireItem> & { total: number }) => ListPage<Key, Item> {
  return (wire) => ({ [key]: wire.data.map(item), nextCursor: wire.next_cursor, total: wire.total }) as ListPage<Key, Item>;
}

/** As {@link deserializeList}, for a list without `total` (the event feed). @internal */
export function deserializeFeed<Key extends string, WireItem, Item>(key: Key, item: (wire: WireItem) => Item): (wire: WirePage<WireItem>) => ListPage<Key, Item, false> {
  return (wire) => ({ [key]: wire.data.map(item), nextCursor: wire.next_cursor }) as ListPage<Key, Item, false>;
}

/**
 * The wire name of each field of `Params`, checked against the request schema
 * `Body`: renaming a field in openapi.json fails the type check here.
 * @internal
 */
export type WireNames<Params extends object, Body extends object> = { readonly [Field in keyof Required<Params>]: keyof Body & string };

/**
 * Renames the caller's fields to their wire names; `undefined` means "leave
 * alone". An unknown field is refused with a `ValidationError` naming it, never
 * silently dropped: every create and update of the SDK behaves the same.
 * @internal
 */
export function toWire<Params extends object, Body extends object>(params: Params, names: WireNames<Params, Body>, where = ""): Record<string, unknown> {
  if (typeof params !== "object" || params === null || Array.isArray(params)) {
    const param = where === "" ? "params" : where.slice(0, -1);
    throw new ValidationError("Expected an object of fields", { type: "validation_error", code: "invalid_type", param });
  }
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(params)) {
    const wireName = Object.hasOwn(names, field) ? names[field as keyof Params] : undefined;
    if (wireName === undefined) {
      throw new ValidationError(`"${where}${field}" is not a known field`, { type: "validation_error", code: "unknown_param", param: `${where}${field}` });
    }
    if (value !== undefined) out[wireName] = value instanceof Date ? value.toISOString() : value;
  }
  return out;
}

/**
 * The query parameters of a `GET` path of the server's `openapi.json`; an
 * `undefined` one is left out of the URL.
 * @internal
 */
export type WireQuery<Path extends keyof paths> = paths[Path] extends { get: { parameters: { query?: infer Query } } }
  ? { [Name in keyof NonNullable<Query>]?: NonNullable<Query>[Name] | undefined }
  : never;

/**
 * What every delete answers: `{ id, deleted: true }`.
 * @internal
 */
export function deserializeDeleted(wire: Wire<"Deleted">): { id: string; deleted: true } {
  const { id, deleted, ...unmapped } = wire;
  mapsEveryKey(unmapped);
  return { id, deleted };
}
