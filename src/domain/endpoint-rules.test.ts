import { describe, expect, it } from 'vitest';
import { FieldErrorList } from './errors.js';
import { eventPatternProblems, metadataProblems, normalisedUrl, urlProblems } from './endpoint-rules.js';

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
    [`https://example.com/${'a'.repeat(492)}`, false, []],
    // 120 typed characters, 620 stored: the limit is on what is stored.
    [`https://example.com/${'é'.repeat(100)}`, false, ['must be at most 512 characters as hookd stores it, percent-encoded (this one is 620)']],
  ])('%s (live %s)', (url, live, expected) => {
    expect(urlProblems(url, live)).toEqual(expected);
  });

  // The WHATWG parser would drop the tab, line feed and carriage return without a word.
  it.each(['https://example.com/in\n', 'https://example.com/\r\nX-Injected: 1', 'https://exa\tmple.com/', 'https://example.com/\u001b[2J', 'https://example.com/\u009b', 'https://example.com/\u007f'])(
    'refuses control characters before parsing: %j', (url) => {
      expect(urlProblems(url, false)).toEqual(['must not contain control characters (U+0000–U+001F, U+007F–U+009F) such as a tab or a line break']);
    });
});

describe('normalisedUrl', () => {
  it.each([
    ['http://evil\\@127.0.0.1:4000/', 'http://evil/@127.0.0.1:4000/'],
    ['HTTPS://Example.COM:443/a/./b/../c', 'https://example.com/a/c'],
    ['https://example.com', 'https://example.com/'],
    ['https://example.com/\u202egpj.exe', 'https://example.com/%E2%80%AEgpj.exe'],
    ['https://bücher.example/', 'https://xn--bcher-kva.example/'],
  ])('%s → %s', (typed, stored) => {
    expect(urlProblems(typed, false)).toEqual([]);
    expect(normalisedUrl(typed)).toBe(stored);
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
