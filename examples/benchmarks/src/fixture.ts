/** What the benchmarks share: the sessions they present, and the apps they start. */
import type { ChildProcess } from "node:child_process";
import type autocannon from "autocannon";
import type { TestServer } from "@hellojohn/server/testing";

const PASSWORD = "Bench-Passw0rd!";

/**
 * The sessions of `count` distinct users, each signed in to one new
 * organization in which they are an admin (so `requireAuth({ role: "admin" })`
 * admits them), created 25 at a time. `tokens` are their access tokens, which
 * expire after the server's 15 minutes: `renew()` refreshes them all in place
 * (a bench that runs longer renews them before each part, and starts its apps
 * afresh, so that no app sees an expired token or a token it saw before).
 */
export async function adminTokens(hj: TestServer, count: number, prefix: string): Promise<AdminSessions> {
  const organizationId = (await hj.client.organizations.create({ name: prefix })).id;
  const sessions = new AdminSessions(hj);
  await inBatches(count, async (index) => {
    const email = `${prefix}-${index}@example.com`;
    const user = await hj.client.users.create({ email, password: PASSWORD });
    await hj.client.organizations.addMember(organizationId, { userId: user.id, role: "admin" });
    const { accessToken, refreshToken } = await hj.client.sessions.signInWithPassword({ email, password: PASSWORD, organizationId });
    sessions.tokens.push(accessToken);
    sessions.refreshTokens.push(refreshToken);
  });
  return sessions;
}

/** `work(index)` for every index below `count`, 25 at a time. */
async function inBatches(count: number, work: (index: number) => Promise<void>): Promise<void> {
  for (let batch = 0; batch < count; batch += 25) {
    await Promise.all(Array.from({ length: Math.min(25, count - batch) }, (_, i) => work(batch + i)));
  }
}

/** Admin sessions for a bench: their current access tokens, and the refresh tokens that renew them. */
export class AdminSessions {
  readonly tokens: string[] = [];
  readonly refreshTokens: string[] = [];
  constructor(private readonly hj: TestServer) {}

  /** Refreshes every session (25 at a time), replacing its access and refresh tokens; the session keeps its organization. */
  async renew(): Promise<void> {
    await inBatches(this.tokens.length, async (index) => {
      const renewed = await this.hj.client.sessions.refresh(this.refreshTokens[index] as string);
      this.tokens[index] = renewed.accessToken;
      this.refreshTokens[index] = renewed.refreshToken;
    });
  }
}

/** The port an app started from `serve.ts` listens on, from its `listening <port>` line; rejects if it exits first. */
export function listeningPort(child: ChildProcess, label: string): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once("exit", (code) => reject(new Error(`${label} exited with ${code}`)));
  });
}

/** Autocannon's requests for a load that presents `tokens` as bearer tokens, each in turn. */
export function bearerRequests(tokens: readonly string[]): autocannon.Request[] {
  let next = 0;
  return [{ setupRequest: (request) => ({ ...request, headers: { ...request.headers, authorization: `Bearer ${tokens[next++ % tokens.length]}` } }) }];
}

/** `count` GET /ping requests to the app on `port`, one at a time, presenting `tokens` in turn; throws (naming `label`) unless each answers 200. */
export async function pingOneAtATime(port: number, count: number, tokens: readonly string[], label: string): Promise<void> {
  for (let i = 0; i < count; i++) {
    const response = await fetch(`http://127.0.0.1:${port}/ping`, { headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } });
    await response.arrayBuffer();
    if (response.status !== 200) throw new Error(`${label} answered ${response.status}`);
  }
}
