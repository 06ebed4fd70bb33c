export { hellojohn } from "./hellojohn.js";
export { requireAuth } from "./require-auth.js";
export { getAuth } from "./get-auth.js";
export { hellojohnWebhook } from "./hellojohn-webhook.js";
export type { HelloJohnExpressOptions } from "./types.js";
// Re-exported so apps need one import for the client, its types and its errors.
export * from "@hellojohn/node";
