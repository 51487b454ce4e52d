import { describe, expect, it } from 'vitest';
import { printable, printableJson, table } from './terminal-text.js';

/** Anything a terminal could act on or hide: C0, DEL, C1, bidi and zero-width format characters, U+2028/9. */
// eslint-disable-next-line no-control-regex -- looking for raw control characters is the test
const RAW = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/u;

describe('printable', () => {
  it.each([
    ['plain text', 'https://example.com/in?a=1', 'https://example.com/in?a=1'],
    ['non-ASCII letters stay', 'Zahlungseingänge 東京 ✓', 'Zahlungseingänge 東京 ✓'],
    ['an emoji stays', 'ok 🎉', 'ok 🎉'],
    ['ESC[2J (clear the screen)', 'a\x1b[2Jb', 'a\\x1b[2Jb'],
    ['an OSC title change ended by BEL', '\x1b]0;pwned\x07', '\\x1b]0;pwned\\x07'],
    ['hidden text (SGR 8)', '\x1b[8msecret\x1b[0m', '\\x1b[8msecret\\x1b[0m'],
    ['NUL', 'a\x00b', 'a\\x00b'],
    ['tab, line feed, carriage return', 'a\tb\nc\rd', 'a\\tb\\nc\\rd'],
    ['backspace and bell', '\x08\x07', '\\x08\\x07'],
    ['DEL', 'a\x7fb', 'a\\x7fb'],
    ['C1 CSI (U+009B)', '\u009b2J', '\\x9b2J'],
    ['C1 OSC and ST', '\u009d0;t\u009c', '\\x9d0;t\\x9c'],
    ['C1 NEL (U+0085)', 'a\u0085b', 'a\\x85b'],
    ['right-to-left override', 'invoice\u202egpj.exe', 'invoice\\u202egpj.exe'],
    ['bidi isolates', '\u2066a\u2069', '\\u2066a\\u2069'],
    ['zero-width space and joiner', 'a\u200bb\u200dc', 'a\\u200bb\\u200dc'],
    ['byte-order mark', '\ufeffx', '\\ufeffx'],
    ['line and paragraph separators', 'a\u2028b\u2029c', 'a\\u2028b\\u2029c'],
    ['a tag character (astral format)', 'a\u{e0041}b', 'a\\u{e0041}b'],
    ['a lone surrogate', 'a\ud800b', 'a\\ud800b'],
    ['what it writes stays as it is (idempotent)', 'a\\x1b', 'a\\x1b'],
  ])('%s', (_name, input, expected) => {
    expect(printable(input)).toBe(expected);
    expect(printable(input)).not.toMatch(RAW);
  });
});

describe('printableJson', () => {
  const hostile = { url: 'https://x/\x1b[2J', description: 'a\u009bb\u202ec\x7f', nested: [{ name: 'x\u2028y\ud800' }], n: 1, ok: true, none: null };

  it('reads back as the same value, with no raw control or format character', () => {
    const text = printableJson(hostile);
    // The line breaks are the indentation's; no line holds anything raw.
    for (const line of text.split('\n')) expect(line).not.toMatch(RAW);
    expect(JSON.parse(text)).toEqual(hostile);
    expect(text).toContain('"a\\u009bb\\u202ec\\u007f"');
  });

  it('keeps the indentation, or none when asked', () => {
    expect(printableJson({ a: 1 })).toBe('{\n  "a": 1\n}');
    expect(printableJson({ deleted: 'we_\u009b' }, 0)).toBe('{"deleted":"we_\\u009b"}');
  });
});

describe('table', () => {
  it('escapes every cell, so a hostile value can neither act on the terminal nor forge a row', () => {
    const out = table([
      { id: 'we_1', url: 'http://x/\x1b[2J\x1b]0;title\x07', description: 'one\ntwo', meta: { team: '\u009b31m' } },
      { id: 'we_2', url: 'https://example.com/', description: null, meta: {} },
    ], ['id', 'url', 'description', 'meta']);
    const lines = out.split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).not.toMatch(RAW);
    expect(lines[1]).toBe('we_1  http://x/\\x1b[2J\\x1b]0;title\\x07  one\\ntwo     {"team":"\\x9b31m"}');
    // Widths count the escapes as printed, so the columns stay aligned.
    expect(lines[2]).toBe(`we_2  ${'https://example.com/'.padEnd(32)}  ${'-'.padEnd(11)}  {}`);
  });
});
