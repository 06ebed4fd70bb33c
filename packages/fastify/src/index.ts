export { hellojohn } from "./hellojohn.js";
export { getAuth } from "./get-auth.js";
export { hellojohnWebhook, type HelloJohnWebhookOptions } from "./hellojohn-webhook.js";
export { requireAuth } from "./require-auth.js";
export type { HelloJohnFastifyOptions } from "./types.js";
// Re-exported so apps need one import for the client, its types and its errors.
export * from "@hellojohn/node";
