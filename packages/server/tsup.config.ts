import { readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const { version } = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { version: string };

export default defineConfig({
  define: { __SERVER_VERSION__: JSON.stringify(version) },
  entry: ["src/index.ts", "src/testing.ts", "src/cli.ts"],
  format: ["esm", "cjs"],
  dts: { entry: ["src/index.ts", "src/testing.ts"] },
  clean: true,
  sourcemap: true,
  target: "node20",
  platform: "node",
  splitting: true,
  // import.meta.url in the CommonJS build (the SQLite reader thread resolves better-sqlite3 from it).
  shims: true,
});
