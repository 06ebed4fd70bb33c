import { defineConfig } from "vitest/config";

// Each test spawns an app under tsx (NestJS takes seconds to boot on a busy 2-core machine):
// the default 5 s timed out under load although every app answered.
export default defineConfig({
  test: { testTimeout: 60_000 },
});
