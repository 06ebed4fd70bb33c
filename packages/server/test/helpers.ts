import { HelloJohn } from "@hellojohn/node";
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

/** Calls an end-user endpoint of the server directly (the SDK is for backends, not sign-in forms). */
export async function post(t: TestServer, path: string, body: unknown): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(`${t.url}/v1/tenants/${t.tenantId}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "user-agent": "e2e-browser/1.0" },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

export const signIn = (t: TestServer, email: string, password: string) => post(t, "/auth/sign-in", { email, password });
export const refresh = (t: TestServer, refreshToken: string) => post(t, "/auth/refresh", { refresh_token: refreshToken });

let counter = 0;
/** A unique email per call. */
export const email = (tag = "user"): string => `${tag}.${Date.now().toString(36)}.${counter++}@example.com`;
