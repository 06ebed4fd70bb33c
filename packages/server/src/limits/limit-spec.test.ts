import { describe, expect, it } from "vitest";
import { clientIpKey } from "./client-ip.js";
import { parseDelaySpec, parseHashingSpec, parseRateSpec, parseThrottleSpec } from "./limit-spec.js";
import { DEVELOPMENT_LIMITS, PRODUCTION_LIMITS, resolveLimits } from "./limits-options.js";

describe("limit specs of the CLI", () => {
  it("reads throttle, rate and hashing specs with s, m and h units", () => {
    expect(parseThrottleSpec("5/15m,30s..1h", "x")).toEqual({ attempts: 5, windowSeconds: 900, blockSeconds: 30, maxBlockSeconds: 3600 });
    expect(parseRateSpec("1000/10s", "x")).toEqual({ requests: 1000, windowSeconds: 10 });
    expect(parseRateSpec("60/1m", "x")).toEqual({ requests: 60, windowSeconds: 60 });
    expect(parseHashingSpec("2,64", "x")).toEqual({ concurrency: 2, queue: 64 });
    expect(parseDelaySpec("0", "x")).toBe(0);
    expect(parseDelaySpec("1500", "x")).toBe(1500);
  });

  it.each([
    () => parseThrottleSpec("5/15m", "--sign-in-limit-per-ip"),
    () => parseThrottleSpec("5/15m,1h..30s", "--sign-in-limit-per-ip"),
    () => parseRateSpec("1000", "--sign-in-limit-per-ip"),
    () => parseRateSpec("0/10s", "--sign-in-limit-per-ip"),
    () => parseRateSpec("10/0s", "--sign-in-limit-per-ip"),
    () => parseHashingSpec("1.5,3", "--sign-in-limit-per-ip"),
    () => parseDelaySpec("-1", "--sign-in-limit-per-ip"),
  ])("refuses a malformed spec, naming the option (%#)", (parse) => {
    expect(parse).toThrow(/--sign-in-limit-per-ip/);
  });
});

describe("resolveLimits", () => {
  it("fills what is left out from the preset and refuses non-positive numbers", () => {
    expect(resolveLimits(undefined)).toEqual(PRODUCTION_LIMITS);
    expect(resolveLimits({ preset: "development", adminApi: { requests: 7 } }).adminApi).toEqual({ requests: 7, windowSeconds: DEVELOPMENT_LIMITS.adminApi.windowSeconds });
    expect(() => resolveLimits({ hashing: { queue: 0 } })).toThrow("limits.hashing.queue must be a positive integer");
  });
});

describe("clientIpKey", () => {
  it("keys IPv4 as is, IPv4-mapped IPv6 as IPv4, and IPv6 by its /64", () => {
    expect(clientIpKey("203.0.113.9")).toBe("203.0.113.9");
    expect(clientIpKey("::ffff:203.0.113.9")).toBe("203.0.113.9");
    expect(clientIpKey("2001:db8:1:2:aaaa::1")).toBe("2001:db8:1:2::/64");
    expect(clientIpKey("2001:DB8:1:2:bbbb:cccc:dddd:eeee")).toBe("2001:db8:1:2::/64");
    expect(clientIpKey("2001:db8::1")).toBe("2001:db8:0:0::/64");
    expect(clientIpKey(null)).toBe("unknown");
  });
});
