import { describe, expect, it } from 'vitest';
import { guardedLookup, literalAddress, parseNetworks, refusalOf } from './ssrf-guard.js';

describe('refusalOf', () => {
  it.each([
    '0.0.0.0', '10.1.2.3', '100.64.0.1', '127.0.0.1', '127.255.255.254', '169.254.169.254', '172.16.0.1', '172.31.255.255', '192.0.0.8',
    '192.0.2.1', '192.168.1.1', '198.18.0.1', '198.19.255.255', '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1',
    '255.255.255.255', '::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'ff02::1', '64:ff9b::7f00:1', '::ffff:127.0.0.1', '::ffff:10.0.0.1',
    '::ffff:169.254.169.254', '::127.0.0.1', '2002:7f00:1::', '2001:db8::1', 'fec0::1', '::ffff:0:7f00:1',
  ])('refuses %s', (ip) => {
    expect(refusalOf(ip, [])).toMatch(/address/);
  });

  it.each(['8.8.8.8', '1.1.1.1', '172.32.0.1', '100.128.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])('allows %s', (ip) => {
    expect(refusalOf(ip, [])).toBeNull();
  });

  it('HOOKD_ALLOW_NETWORKS opens ranges on purpose, and only those', () => {
    const allow = parseNetworks(['127.0.0.0/8', '::1/128']);
    expect(refusalOf('127.0.0.1', allow)).toBeNull();
    expect(refusalOf('::1', allow)).toBeNull();
    expect(refusalOf('::ffff:127.0.0.1', allow)).toBeNull();
    expect(refusalOf('10.0.0.1', allow)).toMatch(/private/);
  });

  it('names the kind of address', () => {
    expect(refusalOf('127.0.0.1', [])).toBe('127.0.0.1 is a loopback address');
    expect(refusalOf('::ffff:10.0.0.1', [])).toBe('::ffff:10.0.0.1 carries 10.0.0.1, a private address');
  });
});

describe('literalAddress', () => {
  it.each([
    ['http://2130706433/', '127.0.0.1'], ['http://0177.0.0.1/', '127.0.0.1'], ['http://0x7f.0.0.1/', '127.0.0.1'], ['http://127.1/', '127.0.0.1'],
    ['http://[::ffff:127.0.0.1]/', '::ffff:7f00:1'], ['http://[::1]:8080/', '::1'], ['https://example.com/', null], ['http://017700000001/', '127.0.0.1'],
  ])('%s → %s', (url, expected) => {
    const literal = literalAddress(new URL(url).hostname);
    expect(literal).toBe(expected);
    if (literal) expect(refusalOf(literal, [])).not.toBeNull();
  });
});

describe('guardedLookup', () => {
  const fakeResolver = (answers: Record<string, { address: string; family: number }[]>) =>
    ((host: string, _opts: unknown, cb: (e: Error | null, a: unknown) => void) => cb(null, answers[host] ?? [])) as never;

  it('refuses a name when any of its addresses is refused (rebinding setup)', async () => {
    const lookup = guardedLookup([], fakeResolver({ 'evil.test': [{ address: '93.184.216.34', family: 4 }, { address: '127.0.0.1', family: 4 }] }));
    const err = await new Promise<Error | null>((resolve) => lookup('evil.test', {}, (e) => resolve(e)));
    expect(err?.message).toBe('refused by the SSRF guard: evil.test resolves to 127.0.0.1 is a loopback address');
  });

  it('hands back the checked address, in either callback form', async () => {
    const lookup = guardedLookup([], fakeResolver({ 'ok.test': [{ address: '93.184.216.34', family: 4 }] }));
    const single = await new Promise<unknown[]>((resolve) => lookup('ok.test', {}, (...args) => resolve(args)));
    expect(single).toEqual([null, '93.184.216.34', 4]);
    const all = await new Promise<unknown[]>((resolve) => lookup('ok.test', { all: true }, (...args) => resolve(args)));
    expect(all).toEqual([null, [{ address: '93.184.216.34', family: 4 }]]);
  });
});
