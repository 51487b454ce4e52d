import { describe, expect, it } from 'vitest';
import { DEFAULT_EVENT_TYPES } from './event-types.js';
import { familyOf, sampleObject } from './samples.js';

describe('samples', () => {
  it.each([
    ['payment.refund.failed', 'payment.refund'], ['payment.succeeded', 'payment'], ['customer.tax_id.created', 'customer.tax_id'],
    ['message.delivered', 'message'], ['money_provider.balance.updated', 'money_provider.balance'],
  ])('%s belongs to %s', (type, family) => {
    expect(familyOf(type)).toBe(family);
  });

  it('has an object with an id for every type of the catalog', () => {
    for (const type of DEFAULT_EVENT_TYPES) {
      const object = sampleObject(type);
      expect(typeof object.id, type).toBe('string');
      expect(String(object.id)).toMatch(/^[a-z]+_[0-9A-Za-z]{24}$/);
    }
  });

  it('gives payments an amount and a currency', () => {
    expect(sampleObject('payment.succeeded')).toMatchObject({ amount: 1000, currency: 'kes', status: 'succeeded' });
  });
});
