/**
 * The SSRF guard (docs/security.md, "SSRF guard"). Webhook URLs are typed by strangers, so the
 * sender reaches only globally routable unicast addresses unless HOOKD_ALLOW_NETWORKS opens a
 * range on purpose: an allowlist, not a list of known-bad ranges, so that a range nobody
 * thought of (site-local fec0::/10 was one) is refused by default. Addresses are checked after
 * DNS resolution and the socket connects to the checked address (the lookup below is the one
 * net.connect uses), so a name that resolves differently a second time (DNS rebinding) cannot
 * slip through between check and connect.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

export type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];
type Named = [range: Range, name: string];

const named = (rows: [cidr: string, name: string][]): Named[] => rows.map(([cidr, name]) => [ipaddr.parseCIDR(cidr), name]);

/**
 * IPv4: everything but these. The IANA special-purpose registry's blocks (the globally
 * reachable ones too: they are anycast services whose nearest instance may sit inside the
 * operator's own network, and no webhook receiver lives there), multicast and the reserved
 * 240/4. The first matching row names the refusal, so narrower rows come first.
 */
const V4_REFUSED = named([
  ['0.0.0.0/8', '"this network"'], ['10.0.0.0/8', 'private'], ['100.64.0.0/10', 'shared (CGNAT)'], ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'], ['172.16.0.0/12', 'private'], ['192.0.0.0/24', 'IETF protocol assignment'], ['192.0.2.0/24', 'documentation'],
  ['192.31.196.0/24', 'AS112 anycast'], ['192.52.193.0/24', 'AMT anycast'], ['192.88.99.0/24', '6to4 relay anycast'], ['192.168.0.0/16', 'private'],
  ['192.175.48.0/24', 'AS112 anycast'], ['198.18.0.0/15', 'benchmarking'], ['198.51.100.0/24', 'documentation'], ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'], ['255.255.255.255/32', 'broadcast'], ['240.0.0.0/4', 'reserved'],
]);

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** IPv6 inside 2000::/3 that is still refused: the registry's blocks there (Teredo, anycast services, ORCHID, benchmarking inside 2001::/23). */
const V6_REFUSED = named([
  ['2001::/32', 'Teredo'], ['2001::/23', 'IETF protocol assignment'], ['2001:db8::/32', 'documentation'], ['2002::/16', '6to4'],
  ['2620:4f:8000::/48', 'AS112 anycast'], ['3fff::/20', 'documentation'],
]);
/** Names for refusals outside 2000::/3, which is refused whole; only the words of the message come from here. */
const V6_OUTSIDE = named([
  ['::/128', 'unspecified'], ['::1/128', 'loopback'], ['::ffff:0:0/96', 'IPv4-mapped'], ['::ffff:0:0:0/96', 'IPv4-translated'],
  ['::/96', 'IPv4-compatible'], ['64:ff9b::/96', 'NAT64'], ['64:ff9b:1::/48', 'local-use NAT64'], ['100::/64', 'discard-only'],
  ['100:0:0:1::/64', 'dummy'], ['5f00::/16', 'segment-routing (SRv6)'], ['fc00::/7', 'private (unique local)'], ['fe80::/10', 'link-local'],
  ['fec0::/10', 'site-local'], ['ff00::/8', 'multicast'],
]);

export function parseNetworks(cidrs: readonly string[]): Range[] {
  return cidrs.map((c) => ipaddr.parseCIDR(c));
}

function inAny(addr: ipaddr.IPv4 | ipaddr.IPv6, ranges: Range[]): boolean {
  return ranges.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));
}

function nameIn(addr: ipaddr.IPv4 | ipaddr.IPv6, rows: Named[]): string | undefined {
  return rows.find(([[net, bits]]) => addr.kind() === net.kind() && addr.match(net, bits))?.[1];
}

const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);

/**
 * The IPv4 address an IPv6 one carries, and whether a connection to the IPv6 address reaches
 * it: an IPv4-mapped address is that IPv4 address on a dual-stack socket, and a well-known
 * NAT64 address (64:ff9b::/96, which DNS64 synthesises for every IPv4-only name) is translated
 * to it. The other forms only name an IPv4 address and are refused whatever it is.
 */
function embeddedV4(addr: ipaddr.IPv6): { address: ipaddr.IPv4; reaches: boolean } | null {
  const p = addr.parts;
  const zero = (from: number, to: number) => p.slice(from, to).every((x) => x === 0);
  const low = v4(p[6]!, p[7]!);
  if (addr.isIPv4MappedAddress()) return { address: low, reaches: true };
  if (p[0] === 0x64 && p[1] === 0xff9b && zero(2, 6)) return { address: low, reaches: true };
  // ::ffff:0:a.b.c.d (IPv4-translated, RFC 2765) and ::a.b.c.d (IPv4-compatible; not :: or ::1).
  if (zero(0, 4) && p[4] === 0xffff && p[5] === 0) return { address: low, reaches: false };
  if (zero(0, 6) && (p[6] !== 0 || p[7]! > 1)) return { address: low, reaches: false };
  if (p[0] === 0x2002) return { address: v4(p[1]!, p[2]!), reaches: false };
  return null;
}

/**
 * An address as the socket will read it. Not ipaddr.parse alone: it reads ::a.b.c.d as the
 * mapped ::ffff:a.b.c.d, and libuv prints an IPv4-compatible answer (::7f00:1) exactly so
 * (::127.0.0.1); the WHATWG parser reads it as RFC 4291 does. Zone ids (fe80::1%eth0) and
 * shorthand IPv4 (127.1) are not addresses here, so they are refused.
 */
function parseAddress(ip: string): ipaddr.IPv4 | ipaddr.IPv6 | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(ip)) return ipaddr.IPv4.parse(ip);
  if (!ip.includes(':')) return null;
  try {
    return ipaddr.IPv6.parse(new URL(`http://[${ip}]/`).hostname.slice(1, -1));
  } catch {
    return null;
  }
}

const an = (name: string) => `${/^[aeiouAEIOU]/.test(name) ? 'an' : 'a'} ${name} address`;

/**
 * Why an address is refused, or null when the sender may connect to it. `allow` (from
 * HOOKD_ALLOW_NETWORKS) wins over every rule. The one classifier of both the 422 at endpoint
 * creation and the check where the socket connects.
 */
export function refusalOf(ip: string, allow: Range[]): string | null {
  const addr = parseAddress(ip);
  if (!addr) return `'${ip}' is not an IP address`;
  if (inAny(addr, allow)) return null;
  if (addr.kind() === 'ipv4') {
    const name = nameIn(addr, V4_REFUSED);
    return name ? `${ip} is ${an(name)}` : null;
  }
  const v6 = addr as ipaddr.IPv6;
  const carried = embeddedV4(v6);
  if (carried && !inAny(carried.address, allow)) {
    const name = nameIn(carried.address, V4_REFUSED);
    if (name) return `${ip} carries ${carried.address.toString()}, ${an(name)}`;
  }
  if (carried?.reaches) return null;
  if (!v6.match(GLOBAL_UNICAST)) {
    const name = nameIn(v6, V6_OUTSIDE);
    return name ? `${ip} is ${an(name)}` : `${ip} is outside the global unicast range 2000::/3`;
  }
  const name = nameIn(v6, V6_REFUSED);
  return name ? `${ip} is ${an(name)}` : null;
}

/** The host of a URL as an IP literal (brackets stripped), or null when it is a name. WHATWG URL already normalises 2130706433, 0177.0.0.1, 0x7f.1 and 127.1. */
export function literalAddress(hostname: string): string | null {
  const h = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return parseAddress(h) ? h : null;
}

/** Why a URL's literal-address host is refused, or null (a host name, or an allowed address). */
export function refusedLiteral(url: string, allow: Range[]): string | null {
  let hostname: string;
  try {
    hostname = new URL(url).hostname;
  } catch {
    return null;
  }
  const literal = literalAddress(hostname);
  return literal ? refusalOf(literal, allow) : null;
}

export class RefusedAddressError extends Error {
  readonly code = 'HOOKD_SSRF_REFUSED';
  constructor(readonly host: string, readonly reason: string) {
    super(`refused by the SSRF guard: ${reason}`);
  }
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A drop-in `lookup` for net.connect/undici: resolves every address of the name, refuses the
 * connection when any of them is refused (a name with one public and one private address is
 * a rebinding setup), and hands net.connect only checked addresses.
 */
export function guardedLookup(allow: Range[], resolver: typeof dnsLookup = dnsLookup) {
  return (hostname: string, options: LookupOptions, callback: LookupCallback): void => {
    resolver(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const list = addresses as LookupAddress[];
      for (const a of list) {
        const reason = refusalOf(a.address, allow);
        if (reason) return callback(new RefusedAddressError(hostname, `${hostname} resolves to ${reason}`) as NodeJS.ErrnoException, []);
      }
      if (list.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), []);
      if (options.all) return callback(null, list);
      callback(null, list[0]!.address, list[0]!.family);
    });
  };
}
