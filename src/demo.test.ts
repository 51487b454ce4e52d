import { describe, expect, it } from 'vitest';
import { signatureHeaders } from './delivery/signing.js';
import { checkSignatures } from './demo.js';

const secret = 'fwhs_' + Buffer.alloc(32, 3).toString('base64');
const body = Buffer.from('{"id":"evt_1","type":"payment.succeeded"}');

describe('demo receiver signature check', () => {
  it.each([
    ['valid', signatureHeaders([secret], 'evt_1', 1_000_000, body), 1_000_010, { falu: 'ok', standard: 'ok' }],
    ['stale', signatureHeaders([secret], 'evt_1', 1_000_000, body), 1_000_400, { falu: 'stale timestamp', standard: 'stale timestamp' }],
    ['other secret', signatureHeaders(['fwhs_' + Buffer.alloc(32, 4).toString('base64')], 'evt_1', 1_000_000, body), 1_000_000, { falu: 'MISMATCH', standard: 'MISMATCH' }],
    ['missing', {}, 1_000_000, { falu: 'missing', standard: 'missing' }],
  ])('%s', (_name, headers, now, expected) => {
    expect(checkSignatures(headers as Record<string, string>, body, secret, now)).toEqual(expected);
  });
});
