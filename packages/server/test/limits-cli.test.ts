import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { MasterKey } from "../src/index.js";

const CLI = new URL("../bin/hellojohn-server.js", import.meta.url).pathname;

describe("hellojohn-server limit options", () => {
  it("lists every limit with its flag, variable and default in --help", () => {
    const help = spawnSync(process.execPath, [CLI, "--help"], { encoding: "utf8" }).stdout;
    for (const text of [
      "--sign-in-limit-per-account-ip",
      "HELLOJOHN_SIGN_IN_LIMIT_PER_ACCOUNT_IP",
      "[5/15m,30s..1h]",
      "--sign-in-limit-per-ip",
      "HELLOJOHN_SIGN_IN_LIMIT_PER_IP",
      "--admin-api-limit",
      "HELLOJOHN_ADMIN_API_LIMIT",
      "[1000/10s]",
      "--hashing-limit",
      "HELLOJOHN_HASHING_LIMIT",
      "--throttled-sign-in-delay-ms",
      "HELLOJOHN_THROTTLED_SIGN_IN_DELAY_MS",
      "--redis-url",
      "HELLOJOHN_REDIS_URL",
      "--trust-proxy",
      "HELLOJOHN_TRUST_PROXY",
    ]) {
      expect(help).toContain(text);
    }
  });

  it("refuses a malformed limit before starting, naming the option and its variable", () => {
    const env = { ...process.env, HELLOJOHN_MASTER_KEY: MasterKey.generate(), HELLOJOHN_DATABASE_URL: "sqlite::memory:" };
    const flag = spawnSync(process.execPath, [CLI, "start", "--port", "0", "--admin-api-limit", "1000"], { encoding: "utf8", env, timeout: 20_000 });
    expect(flag.status).toBe(2);
    expect(flag.stderr).toContain("--admin-api-limit (HELLOJOHN_ADMIN_API_LIMIT)");
    const variable = spawnSync(process.execPath, [CLI, "start", "--port", "0"], { encoding: "utf8", env: { ...env, HELLOJOHN_HASHING_LIMIT: "four" }, timeout: 20_000 });
    expect(variable.status).toBe(2);
    expect(variable.stderr).toContain("--hashing-limit (HELLOJOHN_HASHING_LIMIT)");
  });
});
