import type { IncomingMessage } from "node:http";
import { isIPv6 } from "node:net";

/**
 * Who a sign-in attempt is counted against: the peer address of its TCP connection. No header
 * is read: there is no trusted-proxy setting, and X-Forwarded-For is whatever the client
 * writes, so honouring it would let every attempt name a fresh address. Behind a balancer all
 * attempts share its address (docs/security.md says to bound sign-ins there too).
 *
 * An IPv4 address mapped into IPv6 (`::ffff:192.0.2.1`, RFC 4291 §2.5.5.2) is the IPv4 address.
 * An IPv6 address counts by its /64: one host is usually given a whole /64 (RFC 6177), so
 * counting single addresses would give it 2^64 buckets.
 */
export function clientAddress(req: IncomingMessage): string {
  const raw = req.socket.remoteAddress ?? "";
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(raw);
  if (mapped) return mapped[1]!;
  if (!isIPv6(raw)) return raw === "" ? "unknown" : raw;
  return `${ipv6Groups(raw).slice(0, 4).join(":")}::/64`;
}

/** The eight 16-bit groups of an IPv6 address (a zone id dropped, `::` expanded), in lower-case hex. */
function ipv6Groups(address: string): string[] {
  const plain = address.replace(/%.*$/, "").toLowerCase();
  const [head, tail] = plain.includes("::") ? plain.split("::") as [string, string] : [plain, undefined];
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const groups = tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill("0"), ...right];
  return groups.map((g) => (g.includes(".") ? g : Number.parseInt(g, 16).toString(16)));
}
