// Bundles the console into dist/: index.html plus content-hashed JS and CSS, and
// prints the gzipped size of what the first load fetches (budget: 150 kB of JS).
import { build } from "esbuild";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { gzipSync } from "node:zlib";

const BUDGET_JS_GZIP = 150 * 1024;
const out = new URL("../dist/", import.meta.url);
rmSync(out, { recursive: true, force: true });
mkdirSync(new URL("assets/", out), { recursive: true });

const result = await build({
  entryPoints: [new URL("../src/main.tsx", import.meta.url).pathname],
  bundle: true,
  minify: true,
  format: "esm",
  target: ["chrome110", "firefox115", "safari16"],
  jsx: "automatic",
  jsxImportSource: "preact",
  entryNames: "app-[hash]",
  outdir: new URL("assets/", out).pathname,
  metafile: true,
  legalComments: "none",
  logLevel: "warning",
});

const files = Object.keys(result.metafile.outputs).map((path) => basename(path));
const js = files.find((f) => f.endsWith(".js"));
const css = files.find((f) => f.endsWith(".css"));
if (js === undefined || css === undefined) throw new Error(`unexpected build output: ${files.join(", ")}`);
writeFileSync(
  new URL("index.html", out),
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>HelloJohn console</title>
<link rel="stylesheet" href="/console/assets/${css}">
<script type="module" src="/console/assets/${js}"></script>
</head>
<body><div id="app"></div></body>
</html>
`,
);

const gz = (file) => gzipSync(readFileSync(new URL(`assets/${file}`, out))).length;
const jsSize = gz(js);
const cssSize = gz(css);
const kb = (n) => `${(n / 1024).toFixed(1)} kB`;
console.log(`console first load: JavaScript ${kb(jsSize)} gzipped (budget ${kb(BUDGET_JS_GZIP)}), CSS ${kb(cssSize)} gzipped`);
if (jsSize > BUDGET_JS_GZIP) {
  console.error(`console JavaScript is over its ${kb(BUDGET_JS_GZIP)} gzipped budget`);
  process.exit(1);
}
