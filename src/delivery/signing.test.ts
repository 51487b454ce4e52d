import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { faluSignature, signatureHeaders, standardSignature } from './signing.js';

const secret = 'fwhs_' + Buffer.alloc(32, 7).toString('base64');
const rolled = 'fwhs_' + Buffer.alloc(32, 9).toString('base64');
const body = '{"id":"evt_1","type":"payment.created","data":{"object":{"amount":1000,"note":"café"}}}';

describe('faluSignature', () => {
  it('is t=<unix>,sha256=<hex of HMAC(secret string, "<t>." + body)>', () => {
    const expected = createHmac('sha256', secret).update(`1700000000.${body}`).digest('hex');
    expect(faluSignature([secret], 1700000000, body)).toBe(`t=1700000000,sha256=${expected}`);
  });

  it('has one entry per valid secret, in order', () => {
    const sig = faluSignature([rolled, secret], 1700000000, body);
    const parts = sig.split(',');
    expect(parts).toHaveLength(3);
    expect(parts[2]).toBe(faluSignature([secret], 1700000000, body).split(',')[1]);
  });

  it('signs the exact bytes: a re-serialised body does not verify', () => {
    const reserialised = JSON.stringify(JSON.parse(body), null, 1);
    expect(faluSignature([secret], 1, reserialised)).not.toBe(faluSignature([secret], 1, body));
  });
});

describe('Standard Webhooks', () => {
  it.each([[[secret]], [[rolled, secret]], [[secret, rolled]]])('verifies with the standardwebhooks package (%#)', (secrets) => {
    const ts = Math.floor(Date.now() / 1000);
    const headers = signatureHeaders(secrets, 'evt_0VcH4uJPcae3MwzgN0Myzsz3', ts, body);
    for (const s of secrets) {
      // The package takes the secret with a whsec_ prefix or as bare base64.
      const wh = new Webhook(s.slice('fwhs_'.length));
      expect(wh.verify(body, headers)).toEqual(JSON.parse(body));
    }
    expect(() => new Webhook(Buffer.alloc(32, 1).toString('base64')).verify(body, headers)).toThrow();
  });

  it('matches an independent HMAC over "<id>.<timestamp>.<body>" with the decoded key', () => {
    const expected = createHmac('sha256', Buffer.alloc(32, 7)).update(`evt_1.1700000000.${body}`).digest('base64');
    expect(standardSignature([secret], 'evt_1', 1700000000, body)).toBe(`v1,${expected}`);
    expect(standardSignature([rolled, secret], 'evt_1', 1700000000, body).split(' ')).toHaveLength(2);
  });
});
