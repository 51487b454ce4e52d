/**
 * What every system sends: the same event types (the first ten of hookd's catalog) and the same
 * data object, so bodies are the same size everywhere. The baselines and the ceiling send the
 * event in Falu's basic format, as hookd does, so the receiver parses the same bytes.
 */
import { randomBytes } from 'node:crypto';
import { FALU_EVENT_TYPES } from '../src/domain/event-types.js';

export const EVENT_TYPES: readonly string[] = FALU_EVENT_TYPES.slice(0, 10);

/** A payment-shaped object of about 400 bytes of JSON: a typical event, not a tiny one. */
export function sampleObject(seq: number): Record<string, unknown> {
  return {
    id: `pa_bench${String(seq).padStart(16, '0')}`,
    object: 'payment',
    amount: 1000 + (seq % 5000),
    currency: 'kes',
    status: 'succeeded',
    type: 'mpesa',
    customer: 'cus_0VcHbenchCustomer000001',
    mpesa: { type: 'paybill', reference: `INV-${seq}`, phone: '+254700000000', receipt: 'QJK8A1B2C3' },
    description: 'Order #1001 — 2 items, delivered to Nairobi',
    created: '2026-01-01T00:00:00.000Z',
    metadata: { order: String(seq), channel: 'web' },
  };
}

/** Event ids for the systems that do not make their own: unique across runs of the harness. */
const RUN = randomBytes(4).toString('hex');
let counter = 0;
export function newEventId(): string {
  return `evt_${RUN}${(counter++).toString(36).padStart(10, '0')}`;
}

/** The event object in Falu's basic format, as hookd would render it. */
export function eventObject(id: string, type: string, object: Record<string, unknown>): Record<string, unknown> {
  return {
    id, type, created: new Date().toISOString(), data: { object },
    request: { id: `req_${id.slice(4)}`, idempotency_key: null }, workspace: 'wksp_bench', live: false,
  };
}

/** A Standard Webhooks style secret for the baselines' endpoints. */
export function newSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}
