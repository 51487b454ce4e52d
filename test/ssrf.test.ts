/**
 * The SSRF guard through the real sender (docs/security.md): every refused spelling of a local
 * address is refused before a byte is sent, DNS answers are checked where the socket connects
 * (so a rebinding name cannot slip through), and HOOKD_ALLOW_NETWORKS opens ranges on purpose.
 */
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSender } from '../src/delivery/sender.js';
import { TEST_STORE } from './helpers.js';
import { startReceiver, type Receiver } from './receiver.js';

type Answer = { address: string; family: number }[];
/** A resolver that answers from a script, one answer per call, the last one repeating. */
function scriptedResolver(answers: Record<string, Answer[]>) {
  const calls: Record<string, number> = {};
  return ((host: string, _options: unknown, callback: (err: Error | null, addresses: LookupAddress[]) => void) => {
    const script = answers[host];
    if (!script) return callback(Object.assign(new Error(`no such host ${host}`), { code: 'ENOTFOUND' }), []);
    const n = calls[host] = (calls[host] ?? 0) + 1;
    callback(null, script[Math.min(n, script.length) - 1]!);
  }) as never;
}

describe.skipIf(TEST_STORE !== 'sqlite')('SSRF guard in the sender', () => {
  let receiver: Receiver;
  let port: string;
  beforeAll(async () => {
    receiver = await startReceiver();
    port = new URL(receiver.url).port;
  });
  afterAll(async () => receiver.close());

  const send = (url: string, options: { allow?: string[]; resolver?: never } = {}) => {
    // The connect timeout ends the unreachable sends quickly; the request timeout is far above any local answer.
    const sender = createSender({ connectTimeout: 500, requestTimeout: 5_000, allowNetworks: options.allow ?? [], resolver: options.resolver });
    return sender.send({ url, body: '{}', headers: { 'content-type': 'application/json' } }).finally(() => sender.close());
  };

  it.each([
    ['127.0.0.1', 'loopback'], ['2130706433', 'loopback'], ['0177.0.0.1', 'loopback'], ['0x7f.0.0.1', 'loopback'], ['127.1', 'loopback'],
    ['017700000001', 'loopback'], ['0x7f000001', 'loopback'], ['[::1]', 'loopback'], ['[::ffff:127.0.0.1]', 'carries 127.0.0.1'],
    ['[::ffff:7f00:1]', 'carries 127.0.0.1'], ['[::127.0.0.1]', 'carries 127.0.0.1'], ['[64:ff9b::7f00:1]', 'carries 127.0.0.1'],
    ['0.0.0.0', 'address'], ['10.0.0.1', 'private'], ['100.64.0.1', 'CGNAT'], ['169.254.169.254', 'link-local'], ['172.16.0.1', 'private'],
    ['192.0.0.1', 'address'], ['192.0.2.1', 'address'], ['192.168.0.1', 'private'], ['198.18.0.1', 'address'], ['198.51.100.1', 'address'],
    ['203.0.113.1', 'address'], ['224.0.0.1', 'multicast'], ['240.0.0.1', 'address'], ['255.255.255.255', 'address'],
    ['[::]', 'unspecified'], ['[fc00::1]', 'unique local'], ['[fe80::1]', 'link-local'], ['[ff02::1]', 'multicast'],
    ['[fec0::1]', 'site-local'], ['[::ffff:0:7f00:1]', 'carries 127.0.0.1'], ['[2001:1::1]', 'IETF protocol assignment'],
    ['192.0.0.9', 'IETF protocol assignment'], ['192.175.48.1', 'AS112'],
  ])('refuses http://%s before connecting (%s)', async (host, kind) => {
    const before = receiver.received.length;
    const result = await send(`http://${host}:${port}/webhooks`);
    expect(result.status).toBeNull();
    expect(result.error).toMatch(/^refused by the SSRF guard: /);
    expect(result.error).toContain(kind);
    expect(receiver.received.length).toBe(before);
  });

  it('refuses a name that resolves to a refused address, checked where the socket connects', async () => {
    const resolver = scriptedResolver({ 'hooks.example.test': [[{ address: '127.0.0.1', family: 4 }]] });
    const result = await send(`http://hooks.example.test:${port}/webhooks`, { resolver });
    expect(result.error).toBe('refused by the SSRF guard: hooks.example.test resolves to 127.0.0.1 is a loopback address');
    expect(receiver.received).toHaveLength(0);
  });

  it('refuses a name with one public and one private address', async () => {
    const resolver = scriptedResolver({ 'mixed.example.test': [[{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.5', family: 4 }]] });
    const result = await send(`http://mixed.example.test:${port}/webhooks`, { resolver });
    expect(result.error).toMatch(/refused by the SSRF guard: mixed\.example\.test resolves to 10\.0\.0\.5/);
  });

  it('DNS rebinding: a name that answers public first and 127.0.0.1 next is refused on the second answer', async () => {
    // First answer a documentation-free public address, which this sandbox cannot reach; the
    // second (the rebinding) points at the receiver, and must never reach it.
    const resolver = scriptedResolver({ 'rebind.example.test': [[{ address: '93.184.216.34', family: 4 }], [{ address: '127.0.0.1', family: 4 }]] });
    const sender = createSender({ connectTimeout: 500, requestTimeout: 1_000, allowNetworks: [], resolver });
    try {
      const first = await sender.send({ url: `http://rebind.example.test:${port}/webhooks`, body: '{}', headers: {} });
      expect(first.error ?? '').not.toMatch(/SSRF/);
      const second = await sender.send({ url: `http://rebind.example.test:${port}/webhooks`, body: '{}', headers: {} });
      expect(second.error).toMatch(/refused by the SSRF guard: rebind\.example\.test resolves to 127\.0\.0\.1/);
      expect(receiver.received).toHaveLength(0);
    } finally {
      await sender.close();
    }
  });

  it('checks an IPv4-compatible answer as the address it is, not as the mapped one ipaddr.js reads (libuv prints ::7f00:1 as ::127.0.0.1)', async () => {
    const resolver = scriptedResolver({ 'compat.example.test': [[{ address: '::8.8.8.8', family: 6 }]] });
    const result = await send(`http://compat.example.test:${port}/webhooks`, { resolver });
    expect(result.error).toBe('refused by the SSRF guard: compat.example.test resolves to ::8.8.8.8 is an IPv4-compatible address');
  });

  it('HOOKD_ALLOW_NETWORKS opens a range on purpose', async () => {
    const result = await send(`http://127.0.0.1:${port}/webhooks`, { allow: ['127.0.0.0/8'] });
    expect(result.status).toBe(200);
    const named = await send(`http://local.example.test:${port}/webhooks`, { allow: ['127.0.0.0/8'], resolver: scriptedResolver({ 'local.example.test': [[{ address: '127.0.0.1', family: 4 }]] }) });
    expect(named.status).toBe(200);
    expect(receiver.received).toHaveLength(2);
  });
});
