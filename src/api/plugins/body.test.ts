import { describe, expect, it } from 'vitest';
import { charsetProblem, mediaTypeOf } from './body.js';

describe('charsetProblem', () => {
  it.each([
    ['application/json', null],
    ['application/json; charset=utf-8', null], // Falu's .NET and Java SDKs
    ['application/json; charset=UTF-8', null],
    ['application/json;charset="utf-8"', null],
    ['application/json ; Charset = Utf-8 ', null],
    ['application/json; foo=bar', null],
    ['application/json-patch+json; charset=utf-8', null],
    ['application/json; charset=latin1', 'latin1'],
    ['application/json; charset=iso-8859-1', 'iso-8859-1'],
    ['application/json; charset=utf8', 'utf8'],
    ['application/json; charset=utf-16', 'utf-16'],
    ['application/json; charset=', '(empty)'],
    ['application/json; charset', '(empty)'],
    ['application/json; charset=utf-8; charset=latin1', 'latin1'],
  ])('%j → %j', (contentType, refused) => {
    const problem = charsetProblem(contentType);
    if (refused === null) expect(problem).toBeNull();
    else expect(problem).toContain(`charset=${refused};`);
  });
});

describe('mediaTypeOf', () => {
  it.each([
    ['application/json', 'application/json'],
    ['Application/JSON; charset=utf-8', 'application/json'],
    [' application/json-patch+json ;x=y', 'application/json-patch+json'],
    [undefined, undefined],
  ])('%j → %j', (contentType, media) => {
    expect(mediaTypeOf(contentType)).toBe(media);
  });
});
