/**
 * Every way verification fails, table-driven: each case names the error code it must produce,
 * and the message must say what to check.
 */
import { describe, expect, it } from 'vitest';
import { newWebhookSecret } from '../../../src/domain/ids.js';
import {
  constructEvent, InvalidSecretError, MalformedHeaderError, MAX_FUTURE_SKEW, MissingHeaderError, SignatureMismatchError,
  TimestampInFutureError, TimestampTooOldError, UnsupportedBodyError, verifyFaluSignature, verifyStandardWebhook,
  WebhookVerificationError, type WebhookVerificationErrorCode,
} from '../src/index.js';
import { hookdDelivery, NOW } from './fixtures.js';

const d = hookdDelivery({ rolled: 1 });
const secret = d.secrets[0]!;
const falu = d.headers['x-falu-signature']!;
const hex = falu.split(',')[1]!.slice('sha256='.length);
const wrongSecret = newWebhookSecret();
const reserialised = JSON.stringify(JSON.parse(d.body), null, 2);
const tampered = d.body.replace('"amount":1000', '"amount":9000');

async function failure(promise: Promise<unknown>): Promise<WebhookVerificationError> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err, 'verification should have failed').toBeInstanceOf(WebhookVerificationError);
  return err as WebhookVerificationError;
}

interface Case {
  name: string;
  code: WebhookVerificationErrorCode;
  /** Words the message must contain: what to check. */
  says?: RegExp;
  body?: unknown;
  header?: unknown;
  secret?: unknown;
  now?: number;
  tolerance?: number;
}

describe('verifyFaluSignature rejects', () => {
  const cases: Case[] = [
    { name: 'a tampered body', code: 'signature_mismatch', body: tampered, says: /raw request body/ },
    { name: 'a body re-serialised by JSON.stringify(JSON.parse(body), null, 2)', code: 'signature_mismatch', body: reserialised, says: /re-serialised/ },
    { name: 'a body re-serialised compactly (key order, escapes)', code: 'signature_mismatch', body: JSON.stringify(JSON.parse(d.body)).replace('✓', '\\u2713'), says: /parsed and serialised again/ },
    { name: 'a wrong secret', code: 'signature_mismatch', secret: wrongSecret, says: /signing secret/ },
    { name: 'the secret without its fwhs_ prefix', code: 'signature_mismatch', secret: secret.slice(5), says: /does not start with fwhs_/ },
    { name: 'the secret with a trailing newline', code: 'signature_mismatch', secret: `${secret}\n`, says: /whitespace/ },
    { name: 'a stale timestamp (tolerance + 1 s)', code: 'timestamp_too_old', now: NOW + 301, says: /NTP/ },
    { name: 'a stale timestamp under a custom tolerance', code: 'timestamp_too_old', now: NOW + 11, tolerance: 10, says: /tolerance of 10 s/ },
    { name: 'a stale timestamp when now is given in milliseconds', code: 'timestamp_too_old', now: NOW * 1000, says: /milliseconds/ },
    { name: 'a future timestamp beyond the skew', code: 'timestamp_in_future', now: NOW - MAX_FUTURE_SKEW - 1, says: /NTP/ },
    { name: 'a timestamp far in the future', code: 'timestamp_in_future', now: NOW - 86_400 },
    { name: 'a valid signature moved to another timestamp', code: 'signature_mismatch', header: `t=${NOW + 1},sha256=${hex}` },
    // Malformed headers.
    { name: 'the form t=,sha256', code: 'malformed_header', header: 't=,sha256', says: /t=<unix seconds>,sha256=<hex>/ },
    { name: 'the form t,sha256=', code: 'malformed_header', header: 't,sha256=' },
    { name: 'the form ,,', code: 'malformed_header', header: ',,', says: /empty element/ },
    { name: 'the form t', code: 'malformed_header', header: 't' },
    { name: 'the form t=', code: 'malformed_header', header: 't=' },
    { name: 'the form =x', code: 'malformed_header', header: `=x,t=${NOW},sha256=${hex}`, says: /no key/ },
    { name: 'a trailing comma', code: 'malformed_header', header: `${falu},` },
    { name: 'a leading comma', code: 'malformed_header', header: `,${falu}` },
    { name: 'a missing t', code: 'malformed_header', header: `sha256=${hex}`, says: /no t=/ },
    { name: 'a non-numeric t', code: 'malformed_header', header: `t=abc,sha256=${hex}`, says: /Unix seconds/ },
    { name: 'a negative t', code: 'malformed_header', header: `t=-5,sha256=${hex}` },
    { name: 'a fractional t', code: 'malformed_header', header: `t=${NOW}.5,sha256=${hex}` },
    { name: 'two t elements', code: 'malformed_header', header: `t=${NOW},t=${NOW},sha256=${hex}`, says: /more than once/ },
    { name: 'no sha256 entry', code: 'malformed_header', header: `t=${NOW}`, says: /no sha256/ },
    { name: 'only entries of another scheme', code: 'malformed_header', header: `t=${NOW},v1=${hex}`, says: /no sha256/ },
    { name: 'a sha256 that is not hex', code: 'malformed_header', header: `t=${NOW},sha256=${'z'.repeat(64)}`, says: /64 hex/ },
    { name: 'a truncated sha256', code: 'malformed_header', header: `t=${NOW},sha256=${hex.slice(0, 63)}` },
    { name: 'a base64 signature in place of hex', code: 'malformed_header', header: `t=${NOW},sha256=${Buffer.from(hex, 'hex').toString('base64')}` },
    { name: 'the Standard Webhooks signature passed by mistake', code: 'malformed_header', header: d.headers['webhook-signature'] },
    { name: 'a header sent twice', code: 'malformed_header', header: [falu, falu] },
    { name: 'a header that is not a string', code: 'malformed_header', header: 42 },
    // Missing pieces.
    { name: 'a missing header (undefined)', code: 'missing_header', header: undefined, says: /proxy/ },
    { name: 'a missing header (null)', code: 'missing_header', header: null },
    { name: 'an empty header', code: 'missing_header', header: '' },
    { name: 'an empty secret', code: 'invalid_secret', secret: '', says: /environment variable/ },
    { name: 'an undefined secret', code: 'invalid_secret', secret: undefined },
    { name: 'a parsed body', code: 'unsupported_body', body: JSON.parse(d.body), says: /express\.raw/ },
    { name: 'an undefined body', code: 'unsupported_body', body: undefined },
    { name: 'a number body', code: 'unsupported_body', body: 5 },
  ];

  it.each(cases)('$name → $code', async (c) => {
    const err = await failure(verifyFaluSignature(
      ('body' in c ? c.body : d.body) as string,
      ('header' in c ? c.header : falu) as string,
      ('secret' in c ? c.secret : secret) as string,
      { now: c.now ?? NOW, ...(c.tolerance === undefined ? {} : { tolerance: c.tolerance }) },
    ));
    expect(err.code).toBe(c.code);
    if (c.says) expect(err.message).toMatch(c.says);
    expect(err.message.length).toBeGreaterThan(40);
  });

  it('accepts the edges: exactly the tolerance old, exactly the skew ahead, spaces around elements, unknown elements', async () => {
    await verifyFaluSignature(d.body, falu, secret, { now: NOW + 300 });
    await verifyFaluSignature(d.body, falu, secret, { now: NOW - MAX_FUTURE_SKEW });
    await verifyFaluSignature(d.body, falu, secret, { now: new Date((NOW + 10) * 1000) });
    await verifyFaluSignature(d.body, falu.replaceAll(',', ' , '), secret, { now: NOW });
    await verifyFaluSignature(d.body, `v0=abc,${falu}`, secret, { now: NOW });
    await verifyFaluSignature(d.body, falu, secret, { now: NOW + 100_000, tolerance: Infinity });
    await verifyFaluSignature(d.body, falu.toUpperCase().replace('T=', 't=').replaceAll('SHA256=', 'sha256='), secret, { now: NOW });
  });

  it('checks the signature before the timestamp: a forged stale request is a mismatch, not a timestamp error', async () => {
    const err = await failure(verifyFaluSignature(tampered, falu, secret, { now: NOW + 10_000 }));
    expect(err.code).toBe('signature_mismatch');
  });

  it('throws the subclass for each code, with details', async () => {
    expect(await failure(verifyFaluSignature(tampered, falu, secret, { now: NOW }))).toBeInstanceOf(SignatureMismatchError);
    expect(await failure(verifyFaluSignature(d.body, 't', secret, { now: NOW }))).toBeInstanceOf(MalformedHeaderError);
    expect(await failure(verifyFaluSignature(d.body, undefined, secret, { now: NOW }))).toBeInstanceOf(MissingHeaderError);
    expect(await failure(verifyFaluSignature(d.body, falu, '', { now: NOW }))).toBeInstanceOf(InvalidSecretError);
    expect(await failure(verifyFaluSignature({} as string, falu, secret, { now: NOW }))).toBeInstanceOf(UnsupportedBodyError);
    const old = await failure(verifyFaluSignature(d.body, falu, secret, { now: NOW + 1000 }));
    expect(old).toBeInstanceOf(TimestampTooOldError);
    expect(old).toMatchObject({ scheme: 'falu', timestamp: NOW, now: NOW + 1000, isRequestError: true });
    const future = await failure(verifyFaluSignature(d.body, falu, secret, { now: NOW - 1000 }));
    expect(future).toBeInstanceOf(TimestampInFutureError);
    expect(JSON.parse(JSON.stringify(future))).toEqual({ code: 'timestamp_in_future', message: future.message });
    expect((await failure(verifyFaluSignature(d.body, falu, '', { now: NOW }))).isRequestError).toBe(false);
  });

  it('refuses nonsense options with a TypeError', async () => {
    await expect(verifyFaluSignature(d.body, falu, secret, { tolerance: -1 })).rejects.toBeInstanceOf(TypeError);
    await expect(verifyFaluSignature(d.body, falu, secret, { now: Number.NaN })).rejects.toBeInstanceOf(TypeError);
  });
});

describe('verifyStandardWebhook rejects', () => {
  const h = (over: Record<string, string | undefined>) => {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...d.headers, ...over })) if (v !== undefined) out[k] = v;
    return out;
  };
  const sig = d.headers['webhook-signature']!;
  const cases: (Omit<Case, 'header'> & { headers?: Record<string, string> })[] = [
    { name: 'a tampered body', code: 'signature_mismatch', body: tampered, says: /raw request body/ },
    { name: 'a body re-serialised by JSON.stringify(JSON.parse(body), null, 2)', code: 'signature_mismatch', body: reserialised, says: /re-serialised/ },
    { name: 'a wrong secret', code: 'signature_mismatch', secret: wrongSecret, says: /whsec_/ },
    { name: 'a wrong secret as whsec_', code: 'signature_mismatch', secret: `whsec_${wrongSecret.slice(5)}` },
    { name: 'another webhook-id', code: 'signature_mismatch', headers: h({ 'webhook-id': 'evt_other' }), says: /webhook-id/ },
    { name: 'another webhook-timestamp', code: 'signature_mismatch', headers: h({ 'webhook-timestamp': String(NOW + 1) }) },
    { name: 'a stale timestamp', code: 'timestamp_too_old', now: NOW + 301, says: /NTP/ },
    { name: 'a future timestamp', code: 'timestamp_in_future', now: NOW - MAX_FUTURE_SKEW - 1, says: /NTP/ },
    { name: 'a non-numeric webhook-timestamp', code: 'malformed_header', headers: h({ 'webhook-timestamp': 'yesterday' }), says: /Unix seconds/ },
    { name: 'a webhook-timestamp in ISO form', code: 'malformed_header', headers: h({ 'webhook-timestamp': '2026-01-15T12:00:00Z' }) },
    { name: 'only other versions in webhook-signature', code: 'malformed_header', headers: h({ 'webhook-signature': sig.replaceAll('v1,', 'v2,') }), says: /no v1/ },
    { name: 'a v1 entry that is not base64', code: 'malformed_header', headers: h({ 'webhook-signature': 'v1,***' }) },
    { name: 'a v1 entry with nothing after the comma', code: 'malformed_header', headers: h({ 'webhook-signature': 'v1,' }) },
    { name: 'the X-Falu-Signature passed as webhook-signature', code: 'malformed_header', headers: h({ 'webhook-signature': d.headers['x-falu-signature'] }) },
    { name: 'a missing webhook-id', code: 'missing_header', headers: h({ 'webhook-id': undefined }), says: /webhook-id is missing/ },
    { name: 'a missing webhook-timestamp', code: 'missing_header', headers: h({ 'webhook-timestamp': undefined }) },
    { name: 'a missing webhook-signature', code: 'missing_header', headers: h({ 'webhook-signature': undefined }) },
    { name: 'all three missing', code: 'missing_header', headers: {}, says: /webhook-id, webhook-timestamp, webhook-signature are missing/ },
    { name: 'an empty webhook-signature', code: 'missing_header', headers: h({ 'webhook-signature': '  ' }) },
    { name: 'an empty secret', code: 'invalid_secret', secret: '' },
    { name: 'a secret that is only the prefix', code: 'invalid_secret', secret: 'fwhs_', says: /base64/ },
    { name: 'a secret that is not base64', code: 'invalid_secret', secret: 'whsec_not base64!', says: /base64/ },
    { name: 'a plain-text secret', code: 'invalid_secret', secret: 'my-secret-phrase' },
    { name: 'a parsed body', code: 'unsupported_body', body: JSON.parse(d.body) },
  ];

  it.each(cases)('$name → $code', async (c) => {
    const err = await failure(verifyStandardWebhook(
      ('body' in c ? c.body : d.body) as string,
      c.headers ?? d.headers,
      ('secret' in c ? c.secret : secret) as string,
      { now: c.now ?? NOW },
    ));
    expect(err.code).toBe(c.code);
    if (c.says) expect(err.message).toMatch(c.says);
  });

  it('reads headers in any case, from a plain object or a Headers instance; a header given twice is malformed', async () => {
    const upper = Object.fromEntries(Object.entries(d.headers).map(([k, v]) => [k.toUpperCase(), v]));
    await verifyStandardWebhook(d.body, upper, secret, { now: NOW });
    await verifyStandardWebhook(d.body, new Headers(upper), secret, { now: NOW });
    await verifyStandardWebhook(d.body, { ...d.headers, 'webhook-signature': [sig] }, secret, { now: NOW });
    const twice = await failure(verifyStandardWebhook(d.body, { ...d.headers, 'Webhook-Signature': sig }, secret, { now: NOW }));
    expect(twice.code).toBe('malformed_header');
  });
});

describe('constructEvent rejects', () => {
  it('a request with neither signature', async () => {
    const err = await failure(constructEvent(d.body, { 'content-type': 'application/json' }, secret, { now: NOW }));
    expect(err.code).toBe('missing_header');
    expect(err.message).toMatch(/X-Falu-Signature.*webhook-signature/);
  });

  it.each([
    { name: 'tampered', body: tampered, code: 'signature_mismatch' },
    { name: 're-serialised', body: reserialised, code: 'signature_mismatch' },
    { name: 'parsed', body: JSON.parse(d.body), code: 'unsupported_body' },
  ])('a $name body with the hookd headers → $code', async ({ body, code }) => {
    expect((await failure(constructEvent(body, d.headers, secret, { now: NOW }))).code).toBe(code);
  });

  it('a wrong secret, stale and future timestamps', async () => {
    expect((await failure(constructEvent(d.body, d.headers, wrongSecret, { now: NOW }))).code).toBe('signature_mismatch');
    expect((await failure(constructEvent(d.body, d.headers, secret, { now: NOW + 3600 }))).code).toBe('timestamp_too_old');
    expect((await failure(constructEvent(d.body, d.headers, secret, { now: NOW - 3600 }))).code).toBe('timestamp_in_future');
    expect((await failure(constructEvent(d.body, d.headers, '', { now: NOW }))).code).toBe('invalid_secret');
  });
});
