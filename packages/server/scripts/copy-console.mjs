// Copies the built admin console (@hellojohn/console-ui) into dist/console, so the
// published tarball serves /console with no CDN and no network.
import { cpSync, existsSync } from "node:fs";

const from = new URL("../../console-ui/dist/", import.meta.url);
const to = new URL("../dist/console/", import.meta.url);
if (!existsSync(new URL("index.html", from))) {
  console.error("copy-console: ../console-ui/dist is missing; build @hellojohn/console-ui first (turbo run build does)");
  process.exit(1);
}
cpSync(from, to, { recursive: true });
