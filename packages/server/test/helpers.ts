import type { HelloJohn } from "@hellojohn/node";
import { startTestServer, type TestServer } from "../src/testing.js";
import type { Backend } from "./backends.js";
import { ContractChecker } from "./contract-fetch.js";

export interface Harness {
  t: TestServer;
  hj: HelloJohn;
  checker: ContractChecker;
  databaseUrl: string;
  close(): Promise<void>;
}

/** A real server on `backend`, and an SDK client whose every exchange is checked against the OpenAPI document. */
export async function harness(backend: Backend): Promise<Harness> {
  const databaseUrl = await backend.create();
  const checker = new ContractChecker();
  const t = await startTestServer({ databaseUrl, clientOptions: { fetch: checker.fetch() } });
  return {
    t,
    hj: t.client,
    checker,
    databaseUrl,
    async close() {
      await t.close();
      await backend.drop(databaseUrl);
    },
  };
}

let counter = 0;
/** A unique email per call. */
export const email = (tag = "user"): string => `${tag}.${Date.now().toString(36)}.${counter++}@example.com`;
