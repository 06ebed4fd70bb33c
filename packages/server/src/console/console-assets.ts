import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** One file of the console bundle, held in memory (the whole bundle is a few tens of kB). */
export interface ConsoleAsset {
  body: Buffer;
  type: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
};

/**
 * Where the built console lives: `dist/console` next to the bundled server
 * (what the published tarball ships), or the same folder seen from `src/`
 * when the server runs from source in its own test suite.
 */
function consoleDir(): string | undefined {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const candidates = [join(here, "console"), join(here, "..", "..", "dist", "console")];
  return candidates.find((dir) => existsSync(join(dir, "index.html")));
}

/** The console's files by URL path below `/console/` (`index.html`, `assets/app-HASH.js`…); undefined when it was not built. */
export function loadConsoleAssets(): Map<string, ConsoleAsset> | undefined {
  const dir = consoleDir();
  if (dir === undefined) return undefined;
  const assets = new Map<string, ConsoleAsset>();
  const walk = (folder: string, prefix: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.isDirectory()) walk(join(folder, entry.name), `${prefix}${entry.name}/`);
      else if (!entry.name.endsWith(".map")) {
        assets.set(`${prefix}${entry.name}`, { body: readFileSync(join(folder, entry.name)), type: TYPES[extname(entry.name)] ?? "application/octet-stream" });
      }
    }
  };
  walk(dir, "");
  return assets;
}
