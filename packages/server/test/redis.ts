import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createConnection } from "node:net";

/** The machine's Redis, for suites that share limits between instances. */
export const REDIS_URL = process.env.HELLOJOHN_TEST_REDIS_URL ?? "redis://127.0.0.1:6379";

function reachable(port: number, host = "127.0.0.1"): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ port, host });
    socket.setTimeout(1000);
    socket.once("connect", () => {
      socket.end("PING\r\n");
      resolve(true);
    });
    socket.once("error", () => resolve(false));
    socket.once("timeout", () => {
      socket.destroy();
      resolve(false);
    });
  });
}

/** Whether the shared Redis answers; under CI=true it must. */
export async function redisAvailable(): Promise<boolean> {
  const url = new URL(REDIS_URL);
  const ok = await reachable(Number(url.port || 6379), url.hostname);
  if (!ok && process.env.CI === "true") throw new Error(`Redis is required under CI=true but ${REDIS_URL} is unreachable`);
  if (!ok) console.warn(`Redis suites skipped: ${REDIS_URL} is unreachable`);
  return ok;
}

/** A key prefix no other test uses. */
export const uniquePrefix = (tag: string): string => `hellojohn-test:${tag}:${randomBytes(4).toString("hex")}:`;

/** A `redis-server` of our own on its own port, for outage tests: stopped by its PID, never the machine's. */
export class OwnRedis {
  #child: ChildProcess | undefined;
  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const child = spawn("redis-server", ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], { stdio: "ignore" });
    this.#child = child;
    for (let i = 0; i < 100; i++) {
      if (await reachable(this.port)) return;
      if (child.exitCode !== null) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`redis-server on port ${this.port} did not start`);
  }

  /** SIGKILL by PID, then waits until the port no longer answers. */
  async stop(): Promise<void> {
    const child = this.#child;
    if (child?.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    process.kill(child.pid, "SIGKILL");
    await exited;
    this.#child = undefined;
  }
}
