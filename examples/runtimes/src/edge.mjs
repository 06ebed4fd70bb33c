// A Vercel Edge Function (fetch-event syntax), bundled by esbuild for the browser platform.
import { HelloJohn } from "@hellojohn/node";
import { handle } from "./scenario.mjs";

addEventListener("fetch", (event) => event.respondWith(handle(HelloJohn, event.request)));
