import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { signatureHeaders } from '../delivery/signing.js';
import { checkSignatures, startDemoReceiver } from './demo.js';

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

describe('demo receiver output', () => {
  it('prints what a sender wrote (type, id) with its control characters escaped', async () => {
    const lines: string[] = [];
    const server = await startDemoReceiver({ port: 0, host: '127.0.0.1', print: (l) => lines.push(l) });
    try {
      const { port } = server.address() as AddressInfo;
      // Node's server reads header bytes as latin1, so UTF-8 for U+009D arrives as Â and a C1 control.
      await new Promise<void>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method: 'POST', path: '/webhooks', headers: { 'webhook-id': 'evt_\u009d0;t\u009c' } }, (res) => {
          res.resume();
          res.on('end', resolve);
        });
        req.on('error', reject);
        req.end(JSON.stringify({ type: 'payment.\u001b[2J\u001b]0;owned\u0007\u202e' }));
      });
      const line = lines[1]!;
      // eslint-disable-next-line no-control-regex -- looking for raw control characters is the test
      expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/);
      expect(line).toContain('POST /webhooks  payment.\\x1b[2J\\x1b]0;owned\\x07\\u202e  evt_');
      expect(line).toContain('\\x9d0;t');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
