/**
 * Realistic sample objects for `hookd trigger <type>`: one shape per family of the catalog
 * (payment, customer, message…), so a receiver under development sees data like the real thing.
 * Families without a shape of their own get a generic object named after the family.
 */
import { randomBase62 } from './ids.js';

type Sample = (now: string) => Record<string, unknown>;

const id = (prefix: string) => `${prefix}_${randomBase62(24)}`;

const SAMPLES: Record<string, Sample> = {
  customer: (now) => ({ id: id('cus'), name: 'Ada Wanjiru', email: 'ada@example.com', phone: '+254700000000', created: now, metadata: {} }),
  'customer.tax_id': (now) => ({ id: id('txi'), customer: id('cus'), type: 'ke_pin', value: 'A000000000Z', created: now }),
  payment: (now) => ({
    id: id('pa'), amount: 1000, currency: 'kes', status: 'succeeded', type: 'mpesa', customer: id('cus'),
    mpesa: { type: 'paybill', reference: 'INV-1001', phone: '+254700000000', receipt: 'QJK8A1B2C3' }, created: now, metadata: {},
  }),
  'payment.refund': (now) => ({ id: id('pr'), payment: id('pa'), amount: 500, currency: 'kes', status: 'succeeded', reason: 'customer_requested', created: now }),
  'payment.authorization': (now) => ({ id: id('pauth'), amount: 1000, currency: 'kes', status: 'pending', approved: false, created: now }),
  'payment.method': (now) => ({ id: id('pm'), type: 'mpesa', customer: id('cus'), mpesa: { phone: '+254700000000' }, created: now }),
  transfer: (now) => ({ id: id('tr'), amount: 2500, currency: 'kes', status: 'succeeded', type: 'mpesa', purpose: 'business', created: now }),
  'transfer.reversal': (now) => ({ id: id('trr'), transfer: id('tr'), amount: 2500, currency: 'kes', status: 'succeeded', created: now }),
  message: (now) => ({ id: id('msg'), to: '+254700000000', body: 'Your order has shipped.', status: 'delivered', segments: 1, created: now }),
  message_batch: (now) => ({ id: id('msgb'), messages: [id('msg'), id('msg')], status: 'delivered', created: now }),
  message_template: (now) => ({ id: id('mtpl'), alias: 'order-shipped', body: 'Your order {{number}} has shipped.', created: now }),
  message_suppression: (now) => ({ id: id('msup'), phone: '+254700000000', reason: 'opt_out', created: now }),
  identity_verification: (now) => ({ id: id('idv'), status: 'verified', type: 'document', options: { document: { types: ['national_id'] } }, created: now }),
  invoice: (now) => ({ id: id('in'), customer: id('cus'), amount_due: 5000, currency: 'kes', status: 'open', created: now }),
  subscription: (now) => ({ id: id('sub'), customer: id('cus'), status: 'active', items: [{ price: id('price'), quantity: 1 }], created: now }),
  product: (now) => ({ id: id('prod'), name: 'Pro plan', active: true, created: now }),
  price: (now) => ({ id: id('price'), product: id('prod'), unit_amount: 5000, currency: 'kes', recurring: { interval: 'month' }, created: now }),
  coupon: (now) => ({ id: id('coup'), percent_off: 10, duration: 'once', created: now }),
};

/** The family of a type: the longest known prefix (`payment.refund.failed` → `payment.refund`). */
export function familyOf(type: string): string {
  const parts = type.split('.');
  for (let n = parts.length - 1; n >= 1; n--) {
    const prefix = parts.slice(0, n).join('.');
    if (SAMPLES[prefix]) return prefix;
  }
  return parts.slice(0, -1).join('.') || type;
}

export function sampleObject(type: string, now: Date = new Date()): Record<string, unknown> {
  const family = familyOf(type);
  const make = SAMPLES[family];
  if (make) return make(now.toISOString());
  return { id: id(family.replace(/[^a-z]/g, '').slice(0, 6) || 'obj'), object: family, created: now.toISOString() };
}
