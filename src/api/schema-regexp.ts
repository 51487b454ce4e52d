/**
 * The regular-expression engine Ajv uses for catalog schemas (`code.regExp`): RE2's, through
 * re2js (pure JavaScript, no native build), which matches in time linear in the input whatever
 * the pattern. A platform-supplied `pattern` is hostile input; with JavaScript's backtracking
 * engine one bad pattern could hold the event loop for minutes on every publish.
 *
 * RE2 runs no lookaround and no backreferences; such a pattern is refused at registration.
 */
import type { RegExpEngine } from 'ajv/dist/types/index.js';
import { RE2JS } from 're2js';
import { unsafePatternReason } from '../domain/regex-safety.js';

export interface LinearRegExp {
  test(input: string): boolean;
  toString(): string;
}

/** Throws (RE2JSSyntaxException) when RE2 cannot run the pattern. */
export function compileLinear(pattern: string): LinearRegExp {
  // translateRegExp turns ECMA-262 spellings RE2 writes otherwise (\u00e9, (?<name>…)) into RE2's.
  const re = RE2JS.compile(RE2JS.translateRegExp(pattern));
  return {
    test: (input) => re.test(input),
    // Ajv caches compiled patterns by this string.
    toString: () => `re2:/${pattern}/`,
  };
}

/**
 * Ajv's engine: also refuses the shapes domain/regex-safety.ts does, so that a pattern in a
 * place catalog-schema-checks.ts does not walk (reached only through a `$ref`) is still
 * checked. Ajv ignores the unicode flag it passes: RE2 always works on code points.
 */
export const linearRegExpEngine: RegExpEngine = Object.assign((pattern: string) => {
  const unsafe = unsafePatternReason(pattern);
  if (unsafe) throw new Error(`pattern ${JSON.stringify(pattern)} ${unsafe}`);
  return compileLinear(pattern);
}, { code: 'hookd.linearRegExp' });
