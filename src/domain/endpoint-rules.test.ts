import { describe, expect, it } from 'vitest';
import { FieldErrorList } from './errors.js';
import { eventPatternProblems, metadataProblems, urlProblems } from './endpoint-rules.js';

describe('urlProblems', () => {
  it.each([
    ['https://example.com/hooks', false, []],
    ['http://example.com/hooks', false, []],
    ['http://example.com/hooks', true, ['must use https in live mode']],
    ['https://example.com:8443/x', true, []],
    ['https://example.com:443/x', true, []],
    ['https://example.com:22/x', false, ['port must be 80, 443 or 1024–65535']],
    ['https://user:pw@example.com/', false, ['must not contain a user name or password']],
    ['https://example.com/#frag', false, ['must not contain a fragment (#…)']],
    ['ftp://example.com/', false, ['must use http or https']],
    ['example.com/hooks', false, ['must be an absolute URL such as https://example.com/webhooks']],
    ['', false, ['must be 1 to 512 characters']],
    [`https://example.com/${'a'.repeat(500)}`, false, ['must be 1 to 512 characters']],
  ])('%s (live %s)', (url, live, expected) => {
    expect(urlProblems(url, live)).toEqual(expected);
  });
});

describe('eventPatternProblems', () => {
  const catalog = ['payment.created', 'payment.refund.failed', 'customer.created'];
  it.each([
    [['payment.created'], []],
    [['*'], []],
    [['payment.*'], []],
    [['payment.refund.*', 'customer.created'], []],
    [[], ['must list at least one event type']],
    [['nope.created'], ["'nope.created' is not an event type in the catalog (GET /v1/event_types lists them)"]],
    [['nope.*'], ["'nope.*' covers no event type in the catalog"]],
    [['payment.created', 'payment.created'], ["'payment.created' is listed twice"]],
  ])('%j', (patterns, expected) => {
    expect(eventPatternProblems(patterns, catalog)).toEqual(expected);
  });
});

describe('metadataProblems', () => {
  it.each([
    [{ team: 'billing' }, {}],
    [{ '1team': 'x' }, { 'metadata.1team': ['keys must start with a letter and hold at most 40 letters, digits, or _ . : -'] }],
    [{ team: 5 }, { 'metadata.team': ['must be a string'] }],
    [{ team: 'x'.repeat(501) }, { 'metadata.team': ['must be at most 500 characters'] }],
    [Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])), { metadata: ['must have at most 20 keys'] }],
  ])('%j', (metadata, expected) => {
    const errors = new FieldErrorList();
    metadataProblems(metadata, errors);
    expect(errors.errors).toEqual(expected);
  });
});
