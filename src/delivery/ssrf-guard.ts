/**
 * The SSRF guard (DESIGN.md §6). Webhook URLs are typed by strangers, so the sender never
 * reaches loopback, private, link-local, CGNAT, multicast, reserved or documentation ranges
 * unless HOOKD_ALLOW_NETWORKS opens one on purpose. Addresses are checked after DNS
 * resolution and the socket connects to the checked address (the lookup below is the one
 * net.connect uses), so a name that resolves differently a second time (DNS rebinding) cannot
 * slip through between check and connect.
 */
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import ipaddr from 'ipaddr.js';

export type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

const REFUSED_CIDRS = [
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24', '192.0.2.0/24',
  '192.168.0.0/16', '198.18.0.0/15', '198.51.100.0/24', '203.0.113.0/24', '224.0.0.0/4', '240.0.0.0/4', '255.255.255.255/32',
  '::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8', '64:ff9b::/96', '64:ff9b:1::/48', '100::/64', '2001:db8::/32',
  '2001::/23', '2002::/16',
];

const REFUSED: Range[] = REFUSED_CIDRS.map((c) => ipaddr.parseCIDR(c));

export function parseNetworks(cidrs: readonly string[]): Range[] {
  return cidrs.map((c) => ipaddr.parseCIDR(c));
}

function inAny(addr: ipaddr.IPv4 | ipaddr.IPv6, ranges: Range[]): boolean {
  return ranges.some(([net, bits]) => addr.kind() === net.kind() && addr.match(net, bits));
}

/** The IPv4 address an IPv6 one carries (mapped ::ffff:a.b.c.d, compatible ::a.b.c.d, NAT64, 6to4), if any. */
function embeddedV4(addr: ipaddr.IPv6): ipaddr.IPv4 | null {
  if (addr.isIPv4MappedAddress()) return addr.toIPv4Address();
  const parts = addr.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 255, lo >> 8, lo & 255]);
  // ::a.b.c.d (deprecated IPv4-compatible form), but not :: or ::1 themselves.
  if (parts.slice(0, 6).every((p) => p === 0) && (parts[6] !== 0 || parts[7]! > 1)) return v4(parts[6]!, parts[7]!);
  if (parts[0] === 0x64 && parts[1] === 0xff9b) return v4(parts[6]!, parts[7]!);
  if (parts[0] === 0x2002) return v4(parts[1]!, parts[2]!);
  return null;
}

/**
 * Why an address is refused, or null when the sender may connect to it. `allow` (from
 * HOOKD_ALLOW_NETWORKS) wins over the refused list.
 */
export function refusalOf(ip: string, allow: Range[]): string | null {
  if (!ipaddr.isValid(ip)) return `'${ip}' is not an IP address`;
  const addr = ipaddr.parse(ip);
  if (inAny(addr, allow)) return null;
  if (addr.kind() === 'ipv6') {
    const v4 = embeddedV4(addr as ipaddr.IPv6);
    if (v4 && !inAny(v4, allow) && inAny(v4, REFUSED)) return `${ip} carries ${v4.toString()}, a ${describe(v4)} address`;
    if (v4 && inAny(v4, allow)) return null;
  }
  if (inAny(addr, REFUSED)) return `${ip} is a ${describe(addr)} address`;
  return null;
}

function describe(addr: ipaddr.IPv4 | ipaddr.IPv6): string {
  const range = addr.range();
  const names: Record<string, string> = {
    loopback: 'loopback', private: 'private', linkLocal: 'link-local', carrierGradeNat: 'shared (CGNAT)', multicast: 'multicast',
    unspecified: 'unspecified', broadcast: 'broadcast', reserved: 'reserved', uniqueLocal: 'private (unique local)',
    benchmarking: 'benchmarking', rfc6052: 'NAT64', '6to4': '6to4', teredo: 'Teredo',
  };
  return names[range] ?? 'reserved or documentation';
}

/** The host of a URL as an IP literal (brackets stripped), or null when it is a name. WHATWG URL already normalises 2130706433, 0177.0.0.1, 0x7f.1 and 127.1. */
export function literalAddress(hostname: string): string | null {
  const h = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(h) && (ipaddr.IPv4.isValidFourPartDecimal(h) || h.includes(':')) ? h : null;
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
