import type { FastifyInstance } from "fastify";

/**
 * Starts `app` listening and returns the base URL clients use: a wildcard
 * host is shown as loopback, an IPv6 host in brackets, port 0 as the one the
 * system picked.
 */
export async function listen(app: FastifyInstance, { host = "127.0.0.1", port = 0 }: { host?: string; port?: number } = {}): Promise<string> {
  await app.listen({ host, port });
  const address = app.server.address();
  const actualPort = typeof address === "object" && address !== null ? address.port : port;
  const shownHost = host === "0.0.0.0" || host === "::" ? "127.0.0.1" : host.includes(":") ? `[${host}]` : host;
  return `http://${shownHost}:${actualPort}`;
}
