// Makes sure Debian's Chromium is at /usr/bin/chromium for the console's browser tests.
// Missing and running as root with apt-get: installs it. Under CI=true a Chromium that
// cannot be installed fails the run; otherwise the browser tests skip with a warning.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

export const CHROMIUM = process.env.HELLOJOHN_CHROMIUM ?? "/usr/bin/chromium";

if (!existsSync(CHROMIUM)) {
  const canInstall = process.getuid?.() === 0 && existsSync("/usr/bin/apt-get");
  if (canInstall) {
    console.log("ensure-chromium: installing Debian's chromium (apt-get install -y chromium)…");
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    const update = spawnSync("apt-get", ["update"], { stdio: "inherit", env });
    if (update.status === 0) spawnSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], { stdio: "inherit", env });
  }
  if (!existsSync(CHROMIUM)) {
    const why = canInstall ? "apt-get install chromium failed" : "not root or no apt-get, so it cannot be installed here";
    if (process.env.CI === "true") {
      console.error(`ensure-chromium: ${CHROMIUM} is missing and ${why}; the console's browser tests are mandatory under CI=true`);
      process.exit(1);
    }
    console.warn(`ensure-chromium: ${CHROMIUM} is missing and ${why}; the console's browser tests will be skipped`);
  }
}
