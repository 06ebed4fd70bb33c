// The server's entry points, from the files that each do one job:
// options (server/options.ts), wiring (server/create-server.ts), request
// hooks (http/hooks.ts), handlers (http/handlers.ts), routes (http/routes.ts)
// and listening (server/listen.ts).
export { VERSION } from "./version.js";
export { CONNECTION_DEFAULTS, type EventOptions, type ServerOptions, type WebhookOptions } from "./server/options.js";
export { createServer, type HelloJohnServer } from "./server/create-server.js";
