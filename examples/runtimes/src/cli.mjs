// Node, Bun and Deno: `<runtime> cli.mjs <file URL of the built @hellojohn/node> <config JSON>`; prints the result as JSON.
import { scenario } from "./scenario.mjs";

const [moduleUrl, config] = globalThis.Deno ? globalThis.Deno.args : process.argv.slice(2);
const { HelloJohn } = await import(moduleUrl);
console.log(JSON.stringify(await scenario(HelloJohn, JSON.parse(config))));
