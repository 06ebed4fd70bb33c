import { beforeEach, describe, expect, it, vi } from "vitest";
import { type IdPrefix, idPattern, isId, newId } from "./ids.js";

const CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** Reads the 48-bit millisecond time back out of a ULID's first ten characters. */
function timeOf(id: string): number {
  let time = 0;
  for (const char of id.slice(0, 10)) time = time * 32 + CROCKFORD.indexOf(char);
  return time;
}

describe("ulid", () => {
  // ulid() remembers the last millisecond it used; each test starts from a fresh module so the
  // instants an earlier test chose never clamp the ones a later test passes.
  let ulid: (now?: number) => string;
  beforeEach(async () => {
    vi.resetModules();
    ({ ulid } = await import("./ids.js"));
  });

  it("is 26 characters of Crockford base32 (no I, L, O or U)", () => {
    for (let i = 0; i < 200; i++) {
      const id = ulid();
      expect(id).toHaveLength(26);
      expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    }
  });

  it("starts with the millisecond time, big-endian, so the prefix reads back as the instant", () => {
    const at = Date.UTC(2031, 4, 6, 7, 8, 9, 123);
    const id = ulid(at);
    expect(timeOf(id)).toBe(at);
  });

  it.each([
    [0, "0000000000"],
    [31, "000000000Z"],
    [32, "0000000010"],
    // The example instant of the ULID specification.
    [1_469_918_176_385, "01ARYZ6S41"],
    // 2^48 - 1, the largest time a ULID holds.
    [2 ** 48 - 1, "7ZZZZZZZZZ"],
  ])("encodes %d ms as %s", (at, prefix) => {
    expect(ulid(at).slice(0, 10)).toBe(prefix);
  });

  it("sorts by time across milliseconds, as text", () => {
    const base = Date.UTC(2040, 0, 1);
    const ids = [ulid(base), ulid(base + 1), ulid(base + 31), ulid(base + 32), ulid(base + 1_000_000)];
    expect([...ids].sort()).toEqual(ids);
    expect(ids.map(timeOf)).toEqual([base, base + 1, base + 31, base + 32, base + 1_000_000]);
  });

  it("is monotonic within one millisecond: each next ID is the previous random part plus one", () => {
    const at = Date.UTC(2041, 0, 1);
    const ids = Array.from({ length: 1_000 }, () => ulid(at));
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    for (const id of ids) expect(timeOf(id)).toBe(at);
    // The random part is an 80-bit counter: consecutive IDs differ by exactly one.
    const randomPart = (id: string): bigint => [...id.slice(10)].reduce((n, c) => n * 32n + BigInt(CROCKFORD.indexOf(c)), 0n);
    for (let i = 1; i < ids.length; i++) {
      expect(randomPart(ids[i] as string) - randomPart(ids[i - 1] as string)).toBe(1n);
    }
  });

  it("never goes backwards when the clock does: an earlier instant reuses the last time and keeps counting", () => {
    const at = Date.UTC(2042, 0, 1);
    const first = ulid(at);
    const earlier = ulid(at - 5_000);
    expect(timeOf(earlier)).toBe(at);
    expect(earlier > first).toBe(true);
  });

  it("draws a fresh random part in each new millisecond", () => {
    const at = Date.UTC(2043, 0, 1);
    const randoms = new Set<string>();
    for (let i = 0; i < 50; i++) randoms.add(ulid(at + i).slice(10));
    // 50 draws of 80 random bits collide with negligible probability; a counter carried over would.
    expect(randoms.size).toBe(50);
  });
});

describe("newId", () => {
  const prefixes: IdPrefix[] = ["usr", "org", "ses", "rtk", "key", "ten", "evt", "mfa", "oac", "req", "kid", "whe", "whd", "wha", "con"];

  it.each(prefixes)("makes %s_ IDs that isId and idPattern accept", (prefix) => {
    const id = newId(prefix);
    expect(id.startsWith(`${prefix}_`)).toBe(true);
    expect(id).toHaveLength(prefix.length + 1 + 26);
    expect(isId(id, prefix)).toBe(true);
    expect(new RegExp(idPattern(prefix)).test(id)).toBe(true);
  });

  it("makes IDs that sort in creation order", () => {
    const ids = Array.from({ length: 500 }, () => newId("usr"));
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe("isId and idPattern", () => {
  const good = `usr_${"0123456789ABCDEFGHJKMNPQRS"}`;

  it("accept a well-formed ID", () => {
    expect(isId(good, "usr")).toBe(true);
    expect(new RegExp(idPattern("usr")).test(good)).toBe(true);
  });

  it.each([
    ["another prefix", `org_${good.slice(4)}`],
    ["no separator", `usr${good.slice(4)}`],
    ["a dash for the separator", `usr-${good.slice(4)}`],
    ["an upper-case prefix", `USR_${good.slice(4)}`],
    ["25 characters", good.slice(0, -1)],
    ["27 characters", `${good}0`],
    ["lower case", good.toLowerCase()],
    ["the letter I", `${good.slice(0, -1)}I`],
    ["the letter L", `${good.slice(0, -1)}L`],
    ["the letter O", `${good.slice(0, -1)}O`],
    ["the letter U", `${good.slice(0, -1)}U`],
    ["a trailing newline", `${good}\n`],
    ["a leading space", ` ${good}`],
    ["a non-ASCII character", `${good.slice(0, -1)}É`],
    ["the prefix alone", "usr_"],
    ["an empty string", ""],
  ])("refuse %s", (_label, value) => {
    expect(isId(value, "usr")).toBe(false);
    expect(new RegExp(idPattern("usr")).test(value)).toBe(false);
  });

  it.each([[undefined], [null], [42], [{ id: good }], [[good]]])("refuse the non-string %j", (value) => {
    expect(isId(value, "usr")).toBe(false);
  });

  it("agree with each other on every prefix", () => {
    for (const prefix of ["usr", "org", "whe", "con"] as const) {
      const id = newId(prefix);
      expect(isId(id, prefix)).toBe(new RegExp(idPattern(prefix)).test(id));
      expect(isId(id, prefix === "usr" ? "org" : "usr")).toBe(false);
    }
  });
});
