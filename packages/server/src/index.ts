export { createServer, VERSION, type EventOptions, type HelloJohnServer, type ServerOptions, type WebhookOptions } from "./app.js";
export { startDevServer, type DevServer, type DevServerOptions } from "./dev-server.js";
export { openApiDocument } from "./contract/openapi.js";
export { operations, type Operation } from "./contract/operations.js";
export { schemas, type JsonSchema } from "./contract/schemas.js";
export { MasterKey } from "./crypto/master-key.js";
export type { PasswordHashingOptions } from "./crypto/passwords.js";
export type { CreatedApiKey, TenantsService } from "./services/tenants.service.js";
export type { Database } from "./store/database.js";
