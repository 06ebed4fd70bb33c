// A Cloudflare Worker (module syntax), bundled by esbuild for the browser platform as wrangler would.
import { HelloJohn } from "@hellojohn/node";
import { handle } from "./scenario.mjs";

export default { fetch: (request) => handle(HelloJohn, request) };
