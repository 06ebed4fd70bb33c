import { isIPv4, isIPv6 } from "node:net";

/**
 * The part of a client address a limit is keyed on: an IPv4 address as is
 * (IPv4-mapped IPv6 included), an IPv6 address by its /64 network, since one
 * subscriber usually holds a whole /64 and could otherwise rotate through it.
 */
export function clientIpKey(ip: string | null): string {
  if (ip === null || ip === "") return "unknown";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1] !== undefined) return mapped[1];
  if (isIPv4(ip) || !isIPv6(ip)) return ip;
  const address = ip.split("%")[0] ?? ip;
  const [head = "", tail] = address.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill("0"), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}
