import { request } from "node:http";

/** One HTTP exchange's outcome. */
export interface Exchange {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: { error?: { type: string; code: string; message: string; param?: string } } & Record<string, unknown>;
}

/**
 * A JSON request from a chosen loopback source address (127.0.0.2 is a
 * second client), which `fetch` cannot pick.
 */
export function send(url: string, options: { method?: string; body?: unknown; from?: string; headers?: Record<string, string> } = {}): Promise<Exchange> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: options.method ?? (payload === undefined ? "GET" : "POST"),
        localAddress: options.from ?? "127.0.0.1",
        agent: false,
        headers: { ...(payload === undefined ? {} : { "content-type": "application/json" }), ...options.headers },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text === "" ? {} : (JSON.parse(text) as Exchange["body"]) }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** POSTs a sign-in to `url`'s tenant from `from`. */
export const signIn = (url: string, tenantId: string, email: string, password: string, from = "127.0.0.1", headers?: Record<string, string>): Promise<Exchange> =>
  send(`${url}/v1/tenants/${tenantId}/auth/sign-in`, { body: { email, password }, from, headers });
