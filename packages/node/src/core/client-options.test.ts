import { afterEach, describe, expect, it, vi } from "vitest";
import { SECRET_KEY, TENANT_ID } from "../../test/loopback-server.js";
import { HelloJohn } from "../hellojohn.js";
import { ConfigurationError } from "./errors.js";

describe("HelloJohn configuration", () => {
  afterEach(() => vi.unstubAllEnvs());

  it("reads HELLOJOHN_TENANT_ID, HELLOJOHN_SECRET_KEY and HELLOJOHN_API_URL when constructed without options", () => {
    vi.stubEnv("HELLOJOHN_TENANT_ID", TENANT_ID);
    vi.stubEnv("HELLOJOHN_SECRET_KEY", SECRET_KEY);
    vi.stubEnv("HELLOJOHN_API_URL", "http://127.0.0.1:9999/");
    const hj = new HelloJohn();
    expect(hj.tenantId).toBe(TENANT_ID);
    expect(hj.baseUrl).toBe("http://127.0.0.1:9999");
  });

  it("lets options override the environment", () => {
    vi.stubEnv("HELLOJOHN_TENANT_ID", "ten_00000000000000000000000000");
    vi.stubEnv("HELLOJOHN_SECRET_KEY", SECRET_KEY);
    expect(new HelloJohn({ tenantId: TENANT_ID }).tenantId).toBe(TENANT_ID);
  });

  it.each([
    ["HELLOJOHN_TENANT_ID", { secretKey: SECRET_KEY }, "tenantId"],
    ["HELLOJOHN_SECRET_KEY", { tenantId: TENANT_ID }, "secretKey"],
  ])("names %s when it is missing", (variable, options, param) => {
    vi.stubEnv("HELLOJOHN_TENANT_ID", "");
    vi.stubEnv("HELLOJOHN_SECRET_KEY", "");
    const error = (() => {
      try {
        new HelloJohn(options);
      } catch (e) {
        return e as ConfigurationError;
      }
      throw new Error("expected a ConfigurationError");
    })();
    expect(error).toBeInstanceOf(ConfigurationError);
    expect(error.message).toContain(variable);
    expect(error.param).toBe(param);
  });

  it.each([
    [{ tenantId: "tenant-1" }, "tenantId"],
    [{ secretKey: "pk_not_a_secret" }, "secretKey"],
    [{ baseUrl: "ftp://example.com" }, "baseUrl"],
    [{ timeout: -1 }, "timeout"],
    [{ timeout: 0 }, "timeout"],
    [{ maxRetries: 1.5 }, "maxRetries"],
    [{ logLevel: "loud" as never }, "logLevel"],
  ])("refuses malformed option %o, naming it", (override, param) => {
    expect(() => new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, ...override })).toThrow(expect.objectContaining({ name: "ConfigurationError", param }));
  });

  it.each([
    [{ timout: 5 }, "timout", 'did you mean "timeout"?'],
    [{ tenantID: TENANT_ID, secretkey: SECRET_KEY }, "tenantID", 'did you mean "tenantId"?'],
    [{ baseURL: "http://127.0.0.1:1" }, "baseURL", 'did you mean "baseUrl"?'],
    [{ colour: "red" }, "colour", "the options are tenantId, secretKey, baseUrl"],
  ])("refuses unknown option %o, suggesting the closest one", (options, param, hint) => {
    expect(() => new HelloJohn({ tenantId: TENANT_ID, secretKey: SECRET_KEY, ...options } as never)).toThrow(
      expect.objectContaining({ name: "ConfigurationError", param, message: expect.stringContaining(hint) }),
    );
  });

  it("never echoes a malformed secret key", () => {
    const secret = "sk_live_do_not_print_me";
    expect(() => new HelloJohn({ tenantId: TENANT_ID, secretKey: secret })).toThrow(expect.objectContaining({ message: expect.not.stringContaining(secret) }));
  });
});
