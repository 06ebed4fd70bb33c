// Writes openapi.json from the contract in src/contract, for readers and tools that want a file.
// `pnpm --filter @hellojohn/server openapi` after changing the contract; a test fails while the file is stale.
import { writeFileSync } from "node:fs";
import { openApiDocument, VERSION } from "../dist/index.js";

writeFileSync(new URL("../openapi.json", import.meta.url), `${JSON.stringify(openApiDocument(VERSION), null, 2)}\n`);
