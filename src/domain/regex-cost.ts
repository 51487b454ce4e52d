/**
 * The shape of a pattern that decides what RE2 (re2js, api/schema-regexp.ts) spends matching it:
 * its automaton simulates every state at once, so each character costs up to one step per state
 * (`a[ab]{999}[c-z]` ran at 23 µs a character: 1.2 s for 50,000 characters). A pattern anchored
 * at the start with a bounded length stops after that many characters, however long the input
 * (`^\+?[1-9]\d{1,14}$` on 256,000 characters: 0.06 ms); any other pattern reads the whole input.
 */
import { RegExpParser, type AST } from '@eslint-community/regexpp';

export interface PatternShape {
  /** Positions of the expanded automaton: counted repetitions multiply what they repeat. */
  states: number;
  /** Characters RE2 reads at most, for a start-anchored pattern of bounded length; else Infinity. */
  reads: number;
}

function states(node: AST.Node): number {
  switch (node.type) {
    case 'Character': case 'CharacterSet': case 'CharacterClass': case 'Backreference': return 1;
    case 'Quantifier': return states(node.element) * (Number.isFinite(node.max) ? node.max : Math.max(node.min, 1));
    case 'Alternative': return node.elements.reduce((sum, e) => sum + states(e), 0);
    case 'Group': case 'CapturingGroup': case 'Pattern': return node.alternatives.reduce((sum, a) => sum + states(a), 0);
    default: return 0;
  }
}

function length(node: AST.Node): number {
  switch (node.type) {
    case 'Character': case 'CharacterSet': case 'CharacterClass': return 1;
    case 'Quantifier': {
      const inner = length(node.element);
      return inner === 0 ? 0 : inner * node.max;
    }
    case 'Alternative': return node.elements.reduce((sum, e) => sum + length(e), 0);
    case 'Group': case 'CapturingGroup': case 'Pattern': return Math.max(0, ...node.alternatives.map(length));
    case 'Assertion': return 0;
    default: return Infinity;
  }
}

const anchored = (a: AST.Alternative) => a.elements[0]?.type === 'Assertion' && a.elements[0].kind === 'start';

/** Undefined when the pattern does not parse (regex-safety.ts says why). */
export function patternShape(pattern: string): PatternShape | undefined {
  let ast: AST.Pattern;
  try {
    ast = new RegExpParser().parsePattern(pattern, 0, pattern.length, { unicode: true });
  } catch {
    return undefined;
  }
  return { states: states(ast), reads: ast.alternatives.every(anchored) ? length(ast) : Infinity };
}
