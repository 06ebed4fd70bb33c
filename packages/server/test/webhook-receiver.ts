import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a receiver got. */
export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** What to answer the n-th request (0-based) with: a status, or `"hang"` to never answer. */
export type Responder = (request: Received, n: number) => number | "hang";

/** A real HTTP server on loopback that records webhook deliveries and answers as told. */
export class WebhookReceiver {
  readonly received: Received[] = [];
  respond: Responder = () => 200;
  readonly #hanging: ServerResponse[] = [];

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(host = "127.0.0.1"): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const got: Received = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
        const r = receiver as WebhookReceiver;
        const n = r.received.length;
        r.received.push(got);
        const answer = r.respond(got, n);
        if (answer === "hang") return void r.#hanging.push(res);
        res.writeHead(answer, { "content-type": "text/plain" }).end(answer >= 300 ? `failed with ${answer}` : "ok");
      });
    });
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    receiver = new WebhookReceiver(server, `http://${host}:${(server.address() as AddressInfo).port}/webhooks`);
    return receiver;
  }

  /** Event types received, in arrival order. */
  types(): string[] {
    return this.received.map((r) => (JSON.parse(r.body) as { type: string }).type);
  }

  /** Polls until `done()` (at most `limitMs`, then fails naming `what`). */
  async waitFor(what: string, done: () => boolean, limitMs = 20_000): Promise<void> {
    for (let waited = 0; !done(); waited += 20) {
      if (waited >= limitMs) throw new Error(`Timed out waiting for ${what}; received ${this.received.length}: ${this.types().join(", ")}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Polls `check` until it returns a value (bounded), for state that settles asynchronously. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined>, limitMs = 20_000): Promise<T> {
  for (let waited = 0; ; waited += 25) {
    const value = await check();
    if (value !== undefined) return value;
    if (waited >= limitMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
