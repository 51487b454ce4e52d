/**
 * The SSRF guard against the IANA special-purpose address registries
 * (iana-ipv4-special-registry, iana-ipv6-special-registry), row by row. The rows are copied
 * by hand (prefix, name, RFC, the "Globally Reachable" column, as of the 2025-04 additions;
 * written without access to iana.org, so compare them with
 * https://www.iana.org/assignments/iana-ipv6-special-registry/ and its IPv4 twin when you touch
 * the guard): a new registry row means a new line here and, unless it is globally reachable,
 * a refusal in ssrf-guard.ts. For the first, middle and last address of every row the guard must refuse
 * unless the registry says True; where it says True, N/A or nothing, hookd's decision is the
 * last column and docs/security.md ("SSRF guard") gives the reasons.
 */
import ipaddr from 'ipaddr.js';
import { describe, expect, it } from 'vitest';
import { refusalOf } from './ssrf-guard.js';

type Reachable = 'True' | 'False' | 'N/A' | '';
/** refuse: every address of the row is refused. carried: decided by the IPv4 address it carries (mapped, NAT64). */
type Decision = 'refuse' | 'carried';
type Row = [prefix: string, name: string, rfc: string, reachable: Reachable, decision: Decision];

const IPV4: Row[] = [
  ['0.0.0.0/8', '"This network"', 'RFC 791 §3.2', 'False', 'refuse'],
  ['0.0.0.0/32', '"This host on this network"', 'RFC 1122 §3.2.1.3', 'False', 'refuse'],
  ['10.0.0.0/8', 'Private-Use', 'RFC 1918', 'False', 'refuse'],
  ['100.64.0.0/10', 'Shared Address Space', 'RFC 6598', 'False', 'refuse'],
  ['127.0.0.0/8', 'Loopback', 'RFC 1122 §3.2.1.3', 'False', 'refuse'],
  ['169.254.0.0/16', 'Link Local', 'RFC 3927', 'False', 'refuse'],
  ['172.16.0.0/12', 'Private-Use', 'RFC 1918', 'False', 'refuse'],
  ['192.0.0.0/24', 'IETF Protocol Assignments', 'RFC 6890 §2.1', 'False', 'refuse'],
  ['192.0.0.0/29', 'IPv4 Service Continuity Prefix', 'RFC 7335', 'False', 'refuse'],
  ['192.0.0.8/32', 'IPv4 dummy address', 'RFC 7600', 'False', 'refuse'],
  ['192.0.0.9/32', 'Port Control Protocol Anycast', 'RFC 7723', 'True', 'refuse'],
  ['192.0.0.10/32', 'Traversal Using Relays around NAT Anycast', 'RFC 8155', 'True', 'refuse'],
  ['192.0.0.170/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2', 'False', 'refuse'],
  ['192.0.0.171/32', 'NAT64/DNS64 Discovery', 'RFC 8880, RFC 7050 §2.2', 'False', 'refuse'],
  ['192.0.2.0/24', 'Documentation (TEST-NET-1)', 'RFC 5737', 'False', 'refuse'],
  ['192.31.196.0/24', 'AS112-v4', 'RFC 7535', 'True', 'refuse'],
  ['192.52.193.0/24', 'AMT', 'RFC 7450', 'True', 'refuse'],
  ['192.88.99.0/24', 'Deprecated (6to4 Relay Anycast)', 'RFC 7526', '', 'refuse'],
  ['192.88.99.2/32', '6a44-relay anycast address', 'RFC 6751', 'False', 'refuse'],
  ['192.168.0.0/16', 'Private-Use', 'RFC 1918', 'False', 'refuse'],
  ['192.175.48.0/24', 'Direct Delegation AS112 Service', 'RFC 7534', 'True', 'refuse'],
  ['198.18.0.0/15', 'Benchmarking', 'RFC 2544', 'False', 'refuse'],
  ['198.51.100.0/24', 'Documentation (TEST-NET-2)', 'RFC 5737', 'False', 'refuse'],
  ['203.0.113.0/24', 'Documentation (TEST-NET-3)', 'RFC 5737', 'False', 'refuse'],
  ['240.0.0.0/4', 'Reserved', 'RFC 1112 §4', 'False', 'refuse'],
  ['255.255.255.255/32', 'Limited Broadcast', 'RFC 8190, RFC 919 §7', 'False', 'refuse'],
];

const IPV6: Row[] = [
  ['::1/128', 'Loopback Address', 'RFC 4291', 'False', 'refuse'],
  ['::/128', 'Unspecified Address', 'RFC 4291', 'False', 'refuse'],
  ['::ffff:0:0/96', 'IPv4-mapped Address', 'RFC 4291', 'False', 'carried'],
  ['64:ff9b::/96', 'IPv4-IPv6 Translat.', 'RFC 6052', 'True', 'carried'],
  ['64:ff9b:1::/48', 'IPv4-IPv6 Translat.', 'RFC 8215', 'False', 'refuse'],
  ['100::/64', 'Discard-Only Address Block', 'RFC 6666', 'False', 'refuse'],
  ['100:0:0:1::/64', 'Dummy IPv6 Prefix', 'RFC 9780', 'False', 'refuse'],
  ['2001::/23', 'IETF Protocol Assignments', 'RFC 2928', 'False', 'refuse'],
  ['2001::/32', 'TEREDO', 'RFC 4380, RFC 8190', 'N/A', 'refuse'],
  ['2001:1::1/128', 'Port Control Protocol Anycast', 'RFC 7723', 'True', 'refuse'],
  ['2001:1::2/128', 'Traversal Using Relays around NAT Anycast', 'RFC 8155', 'True', 'refuse'],
  ['2001:1::3/128', 'DNS-SD Service Registration Protocol Anycast', 'RFC 9665', 'True', 'refuse'],
  ['2001:2::/48', 'Benchmarking', 'RFC 5180', 'False', 'refuse'],
  ['2001:3::/32', 'AMT', 'RFC 7450', 'True', 'refuse'],
  ['2001:4:112::/48', 'AS112-v6', 'RFC 7535', 'True', 'refuse'],
  ['2001:10::/28', 'Deprecated (previously ORCHID)', 'RFC 4843', '', 'refuse'],
  ['2001:20::/28', 'ORCHIDv2', 'RFC 7343', 'True', 'refuse'],
  ['2001:30::/28', 'Drone Remote ID Protocol Entity Tags (DETs) Prefix', 'RFC 9374', 'True', 'refuse'],
  ['2001:db8::/32', 'Documentation', 'RFC 3849', 'False', 'refuse'],
  ['2002::/16', '6to4', 'RFC 3056', 'N/A', 'refuse'],
  ['2620:4f:8000::/48', 'Direct Delegation AS112 Service', 'RFC 7534', 'True', 'refuse'],
  ['3fff::/20', 'Documentation', 'RFC 9637', 'False', 'refuse'],
  ['5f00::/16', 'Segment Routing (SRv6) SIDs', 'RFC 9602', 'False', 'refuse'],
  ['fc00::/7', 'Unique-Local', 'RFC 4193, RFC 8190', 'False', 'refuse'],
  ['fe80::/10', 'Link-Local Unicast', 'RFC 4291', 'False', 'refuse'],
];

/** Outside both registries, and refused all the same: not unicast, or not in 2000::/3. */
const OTHERS: Row[] = [
  ['224.0.0.0/4', 'Multicast (multicast-addresses registry)', 'RFC 5771', 'False', 'refuse'],
  ['ff00::/8', 'Multicast (ipv6-multicast-addresses registry)', 'RFC 4291', 'False', 'refuse'],
  ['fec0::/10', 'Site-local, deprecated', 'RFC 3879', 'False', 'refuse'],
  ['::ffff:0:0:0/96', 'IPv4-translated (SIIT)', 'RFC 2765', 'False', 'refuse'],
  ['::/96', 'IPv4-compatible, deprecated', 'RFC 4291 §2.5.5.1', 'False', 'refuse'],
  ['::/8', 'Reserved by IETF', 'RFC 4291', 'False', 'refuse'],
  ['4000::/2', 'Unassigned (outside 2000::/3)', 'RFC 4291', 'False', 'refuse'],
  ['c000::/3', 'Unassigned (outside 2000::/3)', 'RFC 4291', 'False', 'refuse'],
];

function toBig(addr: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  return addr.toByteArray().reduce((n, byte) => (n << 8n) | BigInt(byte), 0n);
}

function fromBig(n: bigint, bytes: number): string {
  const out: number[] = [];
  for (let i = 0; i < bytes; i++, n >>= 8n) out.unshift(Number(n & 255n));
  return ipaddr.fromByteArray(out).toString();
}

/** First, middle and last address of a CIDR block. */
function samples(cidr: string): string[] {
  const [net, bits] = ipaddr.parseCIDR(cidr);
  const width = net.kind() === 'ipv4' ? 32 : 128;
  const first = toBig(net) & ~((1n << BigInt(width - bits)) - 1n);
  const last = first + (1n << BigInt(width - bits)) - 1n;
  return [...new Set([first, first + (last - first) / 2n, last])].map((n) => fromBig(n, width / 8));
}

const cases = (rows: Row[]) => rows.flatMap(([prefix, name, rfc, reachable, decision]) =>
  samples(prefix).map((ip) => [ip, prefix, `${name}, ${rfc}`, reachable || '(none)', decision] as const));

describe.each([['IPv4', IPV4], ['IPv6', IPV6], ['neither registry', OTHERS]] as const)('%s special-purpose rows', (_registry, rows) => {
  it.each(cases(rows))('%s in %s (%s; globally reachable: %s; hookd: %s)', (ip, _prefix, _name, reachable, decision) => {
    // Only a row the registry calls globally reachable may be let through, and only through
    // the IPv4 address it carries; mapped addresses are the one "False" row decided that way.
    if (reachable !== 'True') expect(decision === 'refuse' || ip.startsWith('::ffff:')).toBe(true);
    if (decision === 'refuse') {
      expect(refusalOf(ip, []), ip).not.toBeNull();
    } else {
      const inner = ipaddr.parse(ip).toByteArray().slice(12).join('.');
      expect(refusalOf(ip, []) === null, `${ip} carries ${inner}`).toBe(refusalOf(inner, []) === null);
    }
  });
});

describe('what is left is allowed', () => {
  it.each([
    '1.0.0.1', '8.8.8.8', '9.255.255.255', '11.0.0.0', '100.63.255.255', '100.128.0.0', '126.255.255.255', '128.0.0.0', '169.253.255.255',
    '172.15.255.255', '172.32.0.0', '191.255.255.255', '192.0.1.0', '192.0.3.0', '192.88.98.255', '192.167.255.255', '192.169.0.0',
    '198.17.255.255', '198.20.0.0', '223.255.255.255',
    '2000::', '2001:200::', '2001:4860:4860::8888', '2003::1', '2606:4700:4700::1111', '2620:4f:7fff:ffff:ffff:ffff:ffff:ffff', '2620:4f:8001::',
    '3fff:1000::',
    '::ffff:8.8.8.8', '64:ff9b::8.8.8.8',
  ])('%s', (ip) => {
    expect(refusalOf(ip, [])).toBeNull();
  });
});

describe('IPv4 carried inside IPv6', () => {
  it.each([
    ['::ffff:127.0.0.1', '::ffff:127.0.0.1 carries 127.0.0.1, a loopback address'],
    ['::ffff:0:7f00:1', '::ffff:0:7f00:1 carries 127.0.0.1, a loopback address'],
    ['::ffff:0:808:808', '::ffff:0:808:808 is an IPv4-translated address'],
    ['::127.0.0.1', '::127.0.0.1 carries 127.0.0.1, a loopback address'],
    ['::8.8.8.8', '::8.8.8.8 is an IPv4-compatible address'],
    ['64:ff9b::a00:1', '64:ff9b::a00:1 carries 10.0.0.1, a private address'],
    ['64:ff9b:1::808:808', '64:ff9b:1::808:808 is a local-use NAT64 address'],
    ['2002:a9fe:a9fe::1', '2002:a9fe:a9fe::1 carries 169.254.169.254, a link-local address'],
    ['2002:808:808::1', '2002:808:808::1 is a 6to4 address'],
    ['2001:0:4136:e378:8000:63bf:3fff:fdd2', '2001:0:4136:e378:8000:63bf:3fff:fdd2 is a Teredo address'],
    ['fec0::1', 'fec0::1 is a site-local address'],
    ['4000::1', '4000::1 is outside the global unicast range 2000::/3'],
  ])('%s', (ip, reason) => {
    expect(refusalOf(ip, [])).toBe(reason);
  });
});
