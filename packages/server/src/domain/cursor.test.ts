import { describe, expect, it } from "vitest";
import { MasterKey } from "../crypto/master-key.js";
import { ApiError } from "./api-error.js";
import { CursorCodec, type Keyset, paginate } from "./cursor.js";

const codec = new CursorCodec(MasterKey.parse(MasterKey.generate()));
const users = { search: "ada", status: null, org: null };
const position: Keyset = { createdAt: 1_767_225_600_123, id: "usr_01KDX0000000000000000000AB" };

/** Runs `decode` and returns the ApiError it throws, failing the test if it throws nothing or something else. */
function refusal(run: () => unknown): ApiError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }
  throw new Error("expected the cursor to be refused, but it decoded");
}

/** Asserts the API's answer to a cursor it did not issue: 400 validation_error, code invalid_cursor, naming `cursor`. */
function expectNotIssued(run: () => unknown): void {
  const error = refusal(run);
  expect(error.status).toBe(400);
  expect(error.type).toBe("validation_error");
  expect(error.code).toBe("invalid_cursor");
  expect(error.param).toBe("cursor");
  expect(error.message).toBe('"cursor" is not a cursor this API issued');
}

/** Replaces the character at `index` with another character of the base64url alphabet. */
function flipAt(text: string, index: number): string {
  const char = text[index] as string;
  return text.slice(0, index) + (char === "A" ? "B" : "A") + text.slice(index + 1);
}

describe("CursorCodec", () => {
  it("decodes what it encoded, for the same filters", () => {
    expect(codec.decode(codec.encode(position, users), users)).toEqual(position);
  });

  it.each([
    [{ createdAt: 0, id: "org_00000000000000000000000000" }],
    [{ createdAt: Number.MAX_SAFE_INTEGER, id: "whd_7ZZZZZZZZZZZZZZZZZZZZZZZZZ" }],
    [{ createdAt: 1_700_000_000_000, id: 'a "quoted", dotted. and ünïcödé id' }],
  ])("round-trips the position %j", (keyset) => {
    expect(codec.decode(codec.encode(keyset, { list: "organizations" }), { list: "organizations" })).toEqual(keyset);
  });

  it("is URL-safe: base64url text, one dot, nothing to escape in a query string", () => {
    const cursor = codec.encode(position, users);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{22}$/);
    expect(encodeURIComponent(cursor)).toBe(cursor);
  });

  it("is stable: the same position and filters give the same cursor", () => {
    expect(codec.encode(position, users)).toBe(codec.encode({ ...position }, { ...users }));
  });

  it("refuses a cursor made for other filters, saying so", () => {
    const cursor = codec.encode(position, users);
    const error = refusal(() => codec.decode(cursor, { ...users, search: "grace" }));
    expect(error.status).toBe(400);
    expect(error.code).toBe("invalid_cursor");
    expect(error.param).toBe("cursor");
    expect(error.message).toMatch(/different filters/);
  });

  it("refuses a cursor of another kind of list", () => {
    const organizations = codec.encode(position, { list: "organizations" });
    expect(() => codec.decode(organizations, { list: "webhook_endpoints" })).toThrow(/different filters/);
    const members = codec.encode(position, { members: "org_1" });
    expect(() => codec.decode(members, { members: "org_2" })).toThrow(/different filters/);
    expect(() => codec.decode(members, { sessions: "org_1" })).toThrow(/different filters/);
  });

  it("tells a filter set to null from one left out", () => {
    const cursor = codec.encode(position, { search: null });
    expect(() => codec.decode(cursor, {})).toThrow(/different filters/);
  });

  it("refuses a cursor signed with another master key", () => {
    const other = new CursorCodec(MasterKey.parse(MasterKey.generate()));
    expectNotIssued(() => codec.decode(other.encode(position, users), users));
    expectNotIssued(() => other.decode(codec.encode(position, users), users));
  });

  it("refuses a cursor with any one character of its body changed", () => {
    const cursor = codec.encode(position, users);
    const bodyLength = cursor.indexOf(".");
    for (let i = 0; i < bodyLength; i++) expectNotIssued(() => codec.decode(flipAt(cursor, i), users));
  });

  it("refuses a cursor with any one character of its MAC changed", () => {
    const cursor = codec.encode(position, users);
    for (let i = cursor.indexOf(".") + 1; i < cursor.length; i++) expectNotIssued(() => codec.decode(flipAt(cursor, i), users));
  });

  it("refuses a body that names another position, under the original MAC", () => {
    const cursor = codec.encode(position, users);
    const [body, mac] = cursor.split(".") as [string, string];
    const [, id, scope] = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as [number, string, string];
    const forged = Buffer.from(JSON.stringify([Number.MAX_SAFE_INTEGER, id, scope])).toString("base64url");
    expectNotIssued(() => codec.decode(`${forged}.${mac}`, users));
  });

  it("refuses one cursor's body joined to another's MAC", () => {
    const a = codec.encode(position, users).split(".") as [string, string];
    const b = codec.encode({ ...position, createdAt: position.createdAt - 1 }, users).split(".") as [string, string];
    expectNotIssued(() => codec.decode(`${a[0]}.${b[1]}`, users));
  });

  it("refuses truncated cursors", () => {
    const cursor = codec.encode(position, users);
    const dot = cursor.indexOf(".");
    expectNotIssued(() => codec.decode(cursor.slice(0, -1), users));
    expectNotIssued(() => codec.decode(cursor.slice(0, dot + 1), users));
    expectNotIssued(() => codec.decode(cursor.slice(0, dot), users));
    expectNotIssued(() => codec.decode(cursor.slice(1), users));
    expectNotIssued(() => codec.decode(cursor.slice(dot), users));
  });

  it.each([
    ["an empty string", ""],
    ["a lone dot", "."],
    ["two dots", "a.b.c"],
    ["plain text", "page-2"],
    ["a number", "42"],
    ["JSON", '{"createdAt":1,"id":"usr_x"}'],
  ])("refuses %s", (_label, cursor) => {
    expectNotIssued(() => codec.decode(cursor, users));
  });

  it("refuses a valid cursor with anything appended", () => {
    const cursor = codec.encode(position, users);
    expectNotIssued(() => codec.decode(`${cursor}.`, users));
    expectNotIssued(() => codec.decode(`${cursor}.${cursor}`, users));
    expectNotIssued(() => codec.decode(`${cursor}A`, users));
    expectNotIssued(() => codec.decode(`${cursor}é`, users));
  });
});

describe("paginate", () => {
  const rows = [5, 4, 3, 2, 1].map((n) => ({ createdAt: n, id: `row_${n}` }));
  const at = (row: { createdAt: number; id: string }): Keyset => ({ createdAt: row.createdAt, id: row.id });

  it("returns every row and no next position when limit + 1 rows were not found", () => {
    expect(paginate(rows, 5, at)).toEqual({ items: rows, next: null });
    expect(paginate(rows.slice(0, 3), 5, at)).toEqual({ items: rows.slice(0, 3), next: null });
    expect(paginate([], 5, at)).toEqual({ items: [], next: null });
  });

  it("keeps `limit` rows and points the next page after the last one kept", () => {
    expect(paginate(rows, 4, at)).toEqual({ items: rows.slice(0, 4), next: { createdAt: 2, id: "row_2" } });
    expect(paginate(rows.slice(0, 2), 1, at)).toEqual({ items: rows.slice(0, 1), next: { createdAt: 5, id: "row_5" } });
  });
});
