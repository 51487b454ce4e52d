import { describe, expect, it } from 'vitest';
import { patternCovers, subscriptionCovers } from './event-matching.js';

describe('patternCovers', () => {
  it.each([
    ['*', 'payment.created', true],
    ['payment.created', 'payment.created', true],
    ['payment.created', 'payment.updated', false],
    ['payment.*', 'payment.created', true],
    ['payment.*', 'payment.refund.failed', true],
    ['payment.*', 'payment', false],
    ['payment.*', 'payments.created', false],
    ['payment.refund.*', 'payment.refund.failed', true],
    ['payment.refund.*', 'payment.created', false],
    ['payment', 'payment.created', false],
    ['payment.created', 'payment.created.extra', false],
  ])('%s covers %s: %s', (pattern, type, expected) => {
    expect(patternCovers(pattern, type)).toBe(expected);
  });

  it('a subscription covers a type when any of its patterns does', () => {
    expect(subscriptionCovers(['customer.created', 'payment.*'], 'payment.refund.failed')).toBe(true);
    expect(subscriptionCovers(['customer.created'], 'payment.refund.failed')).toBe(false);
    expect(subscriptionCovers([], 'payment.created')).toBe(false);
  });
});
