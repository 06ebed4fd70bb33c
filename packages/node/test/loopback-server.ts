import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** A request the loopback server received. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

export type Responder = (req: SeenRequest, res: ServerResponse) => void;

/**
 * A real HTTP server on 127.0.0.1 whose answers a test scripts one by one,
 * so transport behaviour is exercised over real sockets.
 */
export class LoopbackServer {
  readonly requests: SeenRequest[] = [];
  #responders: Responder[] = [];
  #fallback: Responder = (_req, res) => json(res, 500, { error: { type: "api_error", code: "unscripted", message: "no responder" } });
  readonly #server: Server;
  url = "";
  /** TCP connections accepted so far. */
  connections = 0;

  constructor() {
    this.#server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on("end", () => {
        const seen = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body };
        this.requests.push(seen);
        (this.#responders.shift() ?? this.#fallback)(seen, res);
      });
    });
    this.#server.on("connection", () => {
      this.connections++;
    });
  }

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  /** Answers the next requests in order. */
  script(...responders: Responder[]): void {
    this.#responders.push(...responders);
  }

  /** Answers every request not scripted. */
  otherwise(responder: Responder): void {
    this.#fallback = responder;
  }

  reset(): void {
    this.requests.length = 0;
    this.#responders = [];
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", "x-request-id": "req_test", ...headers });
  res.end(JSON.stringify(body));
}

export const apiError =
  (status: number, code: string, extra: Record<string, unknown> = {}): Responder =>
  (_req, res) =>
    json(res, status, { error: { type: "x", code, message: `failed with ${code}`, requestId: "req_body", ...extra } }, {});

export const TENANT_ID = "ten_01J9Z3K4M5N6P7Q8R9S0T1V2W3";
export const SECRET_KEY = "sk_01J9Z3K4M5N6P7Q8R9S0T1V2W4_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";

export function wireUser(id: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id,
    email: `${id.toLowerCase()}@example.com`,
    email_verified: true,
    first_name: "Jane",
    last_name: null,
    phone_number: null,
    avatar_url: null,
    metadata: {},
    created_at: "2026-01-02T03:04:05.000Z",
    updated_at: "2026-01-02T03:04:05.000Z",
    last_sign_in_at: null,
    disabled: false,
    ...overrides,
  };
}
