/**
 * Scenario 9, signing: what an Ed25519 endpoint's signature costs per delivery against an HMAC
 * one, in hookd's own signing code (src/delivery/signing.ts), on one core of this machine. Each
 * delivery is signed as the sender signs it: X-Falu-Signature (HMAC) plus webhook-signature,
 * `v1` (HMAC) or `v1a` (Ed25519). Runs once, in this process: it measures code, not a system.
 */
import { newSigningKey } from '../../src/domain/signing-keys.js';
import { signatureHeaders } from '../../src/delivery/signing.js';
import { round } from '../lib/stats.js';
import { eventObject, newEventId, newSecret, sampleObject } from '../payload.js';
import type { Scenario } from './types.js';

/** Rounds of each way, alternated, so a drift of the machine weighs on both alike. */
const ROUNDS = 5;

function perDelivery(bodies: { id: string; body: string }[], sign: (id: string, body: string) => unknown): number {
  const started = process.hrtime.bigint();
  for (const { id, body } of bodies) sign(id, body);
  return Number(process.hrtime.bigint() - started) / 1_000 / bodies.length;
}

export const signing: Scenario = {
  name: 'signing',
  metrics: [
    { key: 'sign_hmac_us', label: 'signing: µs per delivery, HMAC endpoint (X-Falu-Signature + v1)', unit: 'us', better: 'lower' },
    { key: 'sign_ed25519_us', label: 'signing: µs per delivery, Ed25519 endpoint (X-Falu-Signature + v1a)', unit: 'us', better: 'lower' },
    { key: 'sign_ratio', label: 'signing: Ed25519 ÷ HMAC', unit: 'ratio', better: 'lower' },
  ],
  skip: (system) => (system === 'hookd-sqlite' ? null : 'measures hookd\'s signing code once, not a system'),
  async run(_system, ctx) {
    const n = ctx.options.quick ? 2_000 : 20_000;
    const secret = newSecret();
    const key = newSigningKey().privateKey;
    const bodies = Array.from({ length: n }, (_, i) => {
      const id = newEventId();
      return { id, body: JSON.stringify(eventObject(id, 'payment.succeeded', sampleObject(i))) };
    });
    const timestamp = Math.floor(Date.now() / 1000);
    const hmac = (id: string, body: string) => signatureHeaders([secret], id, timestamp, body);
    const ed25519 = (id: string, body: string) => signatureHeaders([secret], id, timestamp, body, [key]);
    // Warm-up: JIT, and the Ed25519 key imported once as the sender does.
    perDelivery(bodies.slice(0, 500), hmac);
    perDelivery(bodies.slice(0, 500), ed25519);
    const runs: { hmac: number; ed25519: number }[] = [];
    for (let i = 0; i < ROUNDS; i++) runs.push({ hmac: perDelivery(bodies, hmac), ed25519: perDelivery(bodies, ed25519) });
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const h = median(runs.map((r) => r.hmac));
    const e = median(runs.map((r) => r.ed25519));
    ctx.log(`  HMAC ${h.toFixed(1)} µs, Ed25519 ${e.toFixed(1)} µs per delivery (body ${bodies[0]!.body.length} bytes, ${n} × ${ROUNDS})`);
    return {
      figures: { sign_hmac_us: round(h, 1), sign_ed25519_us: round(e, 1), sign_ratio: round(e / h, 2) },
      notes: [`median of ${ROUNDS} rounds of ${n} deliveries each way, ${bodies[0]!.body.length}-byte bodies, one key/secret each`],
      detail: { runs, bodyBytes: bodies[0]!.body.length },
    };
  },
};
