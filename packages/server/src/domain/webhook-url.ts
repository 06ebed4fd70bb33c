import { WebhookUrl } from "../contract/schemas.js";
import { lookup } from "node:dns/promises";
import { BlockList, isIP } from "node:net";
import { invalid } from "./api-error.js";

// Addresses a webhook must not reach unless the operator allows it: loopback,
// private, link-local, carrier-grade NAT, unspecified, multicast and reserved.
const blocked = new BlockList();
for (const [net, prefix] of [
  ["0.0.0.0", 8],
  ["10.0.0.0", 8],
  ["100.64.0.0", 10],
  ["127.0.0.0", 8],
  ["169.254.0.0", 16],
  ["172.16.0.0", 12],
  ["192.0.0.0", 24],
  ["192.168.0.0", 16],
  ["198.18.0.0", 15],
  ["224.0.0.0", 3],
] as const) {
  blocked.addSubnet(net, prefix, "ipv4");
}
for (const [net, prefix] of [
  ["::", 128],
  ["::1", 128],
  ["fc00::", 7],
  ["fe80::", 10],
  ["ff00::", 8],
] as const) {
  blocked.addSubnet(net, prefix, "ipv6");
}

/** True for an address a webhook may not reach by default (IPv4-mapped IPv6 included). */
export function isPrivateAddress(address: string): boolean {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped !== null) return blocked.check(mapped[1] as string, "ipv4");
  const family = isIP(address);
  if (family === 0) return true;
  return blocked.check(address, family === 4 ? "ipv4" : "ipv6");
}

const refuse = (message: string) => invalid("url", "invalid_webhook_url", message);

/**
 * Checks an endpoint URL: http(s), no credentials, at most 2048 characters, and
 * unless `allowPrivate`, a host that resolves only to public addresses. The
 * sender checks the address again when it connects (DNS can change).
 */
export async function checkWebhookUrl(value: string, allowPrivate: boolean): Promise<string> {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse('"url" must be an absolute http(s) URL');
  }
  if ((url.protocol !== "http:" && url.protocol !== "https:") || value.length > WebhookUrl.maxLength) {
    throw refuse(`"url" must be an http(s) URL of at most ${WebhookUrl.maxLength} characters`);
  }
  if (url.username !== "" || url.password !== "") throw refuse('"url" must not carry credentials; authenticate deliveries by their signature');
  if (allowPrivate) return url.href;
  const host = url.hostname.replace(/^\[|\]$/g, "");
  let addresses: string[];
  try {
    addresses = isIP(host) !== 0 ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    throw refuse(`"url" host ${host} does not resolve`);
  }
  if (addresses.length === 0 || addresses.some(isPrivateAddress)) {
    throw invalid(
      "url",
      "webhook_url_not_allowed",
      `"url" resolves to a loopback, private or link-local address; this server refuses those unless started with --allow-private-webhook-urls`,
    );
  }
  return url.href;
}
