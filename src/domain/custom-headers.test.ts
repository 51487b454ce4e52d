import { describe, expect, it } from 'vitest';
import { FieldErrorList } from './errors.js';
import { customHeaderProblems, HEADER_VALUE_MAX } from './custom-headers.js';

function problems(headers: Record<string, unknown>, removals = false): Record<string, string[]> {
  const errors = new FieldErrorList();
  customHeaderProblems(headers, errors, { removals });
  return errors.errors;
}

describe('customHeaderProblems: names', () => {
  it.each([
    ['X-Api-Key'], ['x-api-key'], ['X_Custom.Header~1'], ["!#$%&'*+-.^_`|~09azAZ"], ['Webhook'], ['X-Falu'], ['Trace'],
  ])('accepts %s', (name) => {
    expect(problems({ [name]: 'v' })).toEqual({});
  });

  it.each([
    ['', 'must not be empty'],
    ['X Api', 'must be an HTTP token'],
    ['X-Api:', 'must be an HTTP token'],
    ['X-Ä', 'must be an HTTP token'],
    ['X-(a)', 'must be an HTTP token'],
    ['X-Api\r\nHost', 'must be an HTTP token'],
    ['x'.repeat(257), 'must be at most 256 characters'],
    ['Host', 'hop-by-hop or framing'],
    ['content-length', 'hop-by-hop or framing'],
    ['Transfer-Encoding', 'hop-by-hop or framing'],
    ['CONNECTION', 'hop-by-hop or framing'],
    ['Keep-Alive', 'hop-by-hop or framing'],
    ['Proxy-Connection', 'hop-by-hop or framing'],
    ['Proxy-Authorization', 'hop-by-hop or framing'],
    ['Proxy-Authenticate', 'hop-by-hop or framing'],
    ['TE', 'hop-by-hop or framing'],
    ['Trailer', 'hop-by-hop or framing'],
    ['Upgrade', 'hop-by-hop or framing'],
    ['Expect', 'hop-by-hop or framing'],
    ['Content-Encoding', 'hop-by-hop or framing'],
    ['Authorization', 'use the endpoint\'s token'],
    ['authorization', 'use the endpoint\'s token'],
    ['Content-Type', 'set by hookd'],
    ['User-Agent', 'set by hookd'],
    ['X-Falu-Signature', 'X-Falu-* headers'],
    ['x-falu-anything', 'X-Falu-* headers'],
    ['webhook-id', 'webhook-* headers'],
    ['Webhook-Signature', 'webhook-* headers'],
    ['webhook-anything', 'webhook-* headers'],
    ['traceparent', 'trace context'],
    ['TraceState', 'trace context'],
  ])('refuses %j (%s)', (name, message) => {
    const found = problems({ [name]: 'v' });
    expect(Object.keys(found)).toEqual([`headers.${name}`]);
    expect(found[`headers.${name}`]!.join(' ')).toContain(message);
  });

  it('refuses the same name twice in different cases, naming the second', () => {
    expect(problems({ 'X-Api-Key': 'a', 'x-api-key': 'b' })).toEqual({ 'headers.x-api-key': ['is the same header as X-Api-Key (names are case-insensitive)'] });
  });

  it('refuses more than 20 headers, and accepts 20', () => {
    const twenty = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`X-H${i}`, 'v']));
    expect(problems(twenty)).toEqual({});
    expect(problems({ ...twenty, 'X-H20': 'v' })).toEqual({ headers: ['must have at most 20 headers'] });
  });
});

describe('customHeaderProblems: values', () => {
  it.each([
    ['plain', 'abc123'],
    ['empty', ''],
    ['inner space and tab', 'Bearer-ish a\tb c'],
    ['every printable ASCII', Array.from({ length: 95 }, (_, i) => String.fromCharCode(0x21 + i)).join('').slice(0, 94)],
    ['exactly 1 KiB', 'a'.repeat(HEADER_VALUE_MAX)],
  ])('accepts %s', (_, value) => {
    expect(problems({ 'X-Key': value })).toEqual({});
  });

  it.each([
    ['1 KiB + 1', 'a'.repeat(HEADER_VALUE_MAX + 1), 'must be at most 1024 bytes (UTF-8)'],
    ['past 1 KiB in UTF-8 bytes, not characters', 'é'.repeat(513), 'must be at most 1024 bytes (UTF-8)'],
    ['CR', 'a\rb', 'must not contain a carriage return (CR)'],
    ['LF', 'a\nInjected: 1', 'must not contain a line feed (LF)'],
    ['CRLF', 'a\r\nb', 'must not contain a carriage return (CR)'],
    ['NUL', 'a\u0000b', 'must not contain NUL'],
    ['another control character', 'a\u0007b', 'must not contain control characters other than tab'],
    ['DEL', 'a\u007fb', 'must not contain control characters other than tab'],
    ['Latin-1', 'café', 'must be ASCII'],
    ['past U+00FF', '€5', 'must be ASCII'],
    ['leading space', ' a', 'must not start or end with a space or tab'],
    ['trailing tab', 'a\t', 'must not start or end with a space or tab'],
  ])('refuses %s', (_, value, message) => {
    const found = problems({ 'X-Key': value });
    expect(Object.keys(found)).toEqual(['headers.X-Key']);
    expect(found['headers.X-Key']).toHaveLength(1);
    expect(found['headers.X-Key']![0]).toContain(message);
  });

  it.each([
    [123, false, 'must be a string'],
    [{ a: 1 }, false, 'must be a string'],
    [null, false, 'must be a string'],
    [true, true, 'must be a string, or null to remove the header'],
  ])('refuses a value that is not a string: %j', (value, removals, message) => {
    expect(problems({ 'X-Key': value }, removals)).toEqual({ 'headers.X-Key': [message] });
  });

  it('allows null as a removal in a patch', () => {
    expect(problems({ 'X-Key': null }, true)).toEqual({});
  });

  it('names every broken header at once, and a name broken in both ways gets both messages', () => {
    expect(problems({ Host: 'a\nb', 'X-Ok': 'fine', 'X-Bad': 'x\u0000' })).toEqual({
      'headers.Host': ['is a hop-by-hop or framing header, which hookd sets itself', 'must not contain a line feed (LF)'],
      'headers.X-Bad': ['must not contain NUL'],
    });
  });

  it('uses the field name it is given', () => {
    const errors = new FieldErrorList();
    customHeaderProblems({ Host: 'a' }, errors, { field: 'endpoint.headers' });
    expect(Object.keys(errors.errors)).toEqual(['endpoint.headers.Host']);
  });
});
