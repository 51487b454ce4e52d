/**
 * A static check for the regular-expression shapes that backtrack catastrophically in the
 * engines receivers use (JavaScript's, PCRE, Java's…): a repetition whose iterations can split
 * the same text in many ways. Two shapes are refused:
 *
 * - nested repetition with an ambiguous boundary: `(a+)+`, `(.*a){20}`, `(\d+\s?)+` — an
 *   inner quantifier that can hand characters to the next iteration of an outer one;
 * - overlapping alternatives under repetition: `(a|aa)+`, `(\w|\d)*`.
 *
 * Shapes whose iterations are fenced by a character the inner part cannot match stay allowed
 * (`[a-z]+(\.[a-z]+)*`, `([a-z0-9]+-)+`, `(\d{1,3}\.){3}`). This is a heuristic, not a proof of
 * linearity (it does not catch polynomial shapes like `\d+\d+x`): hookd itself runs catalog
 * patterns on a linear-time engine (api/schema-regexp.ts), so the check is there to keep the
 * catalog — which receivers read and may validate with — free of the shapes every backtracking
 * engine chokes on, and to tell the platform so at registration.
 */
import { RegExpParser, type AST } from '@eslint-community/regexpp';

/** Sorted, non-overlapping code point ranges [lo, hi]. */
type CharSet = Array<[number, number]>;

const MAX_CODE_POINT = 0x10ffff;
const ANY: CharSet = [[0, MAX_CODE_POINT]];
const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]];
const SPACE: CharSet = [
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a],
  [0x2028, 0x2029], [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];
const LINE_TERMINATORS: CharSet = [[0x0a, 0x0a], [0x0d, 0x0d], [0x2028, 0x2029]];

function union(...sets: CharSet[]): CharSet {
  const all = sets.flat().sort((a, b) => a[0] - b[0]);
  const out: CharSet = [];
  for (const [lo, hi] of all) {
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  return out;
}

function complement(set: CharSet): CharSet {
  const out: CharSet = [];
  let next = 0;
  for (const [lo, hi] of union(set)) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= MAX_CODE_POINT) out.push([next, MAX_CODE_POINT]);
  return out;
}

function overlaps(a: CharSet, b: CharSet): boolean {
  return a.some(([alo, ahi]) => b.some(([blo, bhi]) => alo <= bhi && blo <= ahi));
}

/** What a node can match, over-approximated: set of characters, first and last ones, and whether it can match empty. */
interface Shape {
  chars: CharSet;
  first: CharSet;
  last: CharSet;
  nullable: boolean;
}

const EMPTY: Shape = { chars: [], first: [], last: [], nullable: true };

function charSetOf(node: AST.CharacterSet): CharSet {
  // Unicode property escapes (\p{L}) are taken as every character: over-approximating can only refuse more.
  const base = node.kind === 'any' ? complement(LINE_TERMINATORS)
    : node.kind === 'digit' ? DIGIT : node.kind === 'word' ? WORD : node.kind === 'space' ? SPACE : ANY;
  return 'negate' in node && node.negate && node.kind !== 'property' ? complement(base) : base;
}

function classSetOf(node: AST.CharacterClass): CharSet {
  const parts = node.elements.map((e): CharSet => {
    if (e.type === 'Character') return [[e.value, e.value]];
    if (e.type === 'CharacterClassRange') return [[e.min.value, e.max.value]];
    if (e.type === 'CharacterSet') return charSetOf(e);
    return ANY; // v-flag syntax, which JSON Schema patterns (u flag) cannot contain
  });
  return node.negate ? complement(union(...parts)) : union(...parts);
}

function single(set: CharSet): Shape {
  return { chars: set, first: set, last: set, nullable: false };
}

function sequence(shapes: Shape[]): Shape {
  let first: CharSet = [];
  for (const s of shapes) {
    first = union(first, s.first);
    if (!s.nullable) break;
  }
  let last: CharSet = [];
  for (const s of [...shapes].reverse()) {
    last = union(last, s.last);
    if (!s.nullable) break;
  }
  return { chars: union(...shapes.map((s) => s.chars)), first, last, nullable: shapes.every((s) => s.nullable) };
}

function choice(shapes: Shape[]): Shape {
  return {
    chars: union(...shapes.map((s) => s.chars)), first: union(...shapes.map((s) => s.first)),
    last: union(...shapes.map((s) => s.last)), nullable: shapes.some((s) => s.nullable),
  };
}

type Node = AST.Node;

/** Each node's shape is asked for again by every repetition around it: computed once. */
const shapes = new WeakMap<Node, Shape>();

function shapeOf(node: Node): Shape {
  let shape = shapes.get(node);
  if (!shape) {
    shape = computeShape(node);
    shapes.set(node, shape);
  }
  return shape;
}

function computeShape(node: Node): Shape {
  switch (node.type) {
    case 'Character': return single([[node.value, node.value]]);
    case 'CharacterSet': return single(charSetOf(node));
    case 'CharacterClass': return single(classSetOf(node));
    case 'Backreference': return { ...single(ANY), nullable: true };
    case 'Assertion': return EMPTY; // ^ $ \b and lookarounds consume nothing
    case 'Quantifier': {
      if (node.max === 0) return EMPTY;
      const inner = shapeOf(node.element);
      return { ...inner, nullable: node.min === 0 || inner.nullable };
    }
    case 'Alternative': return sequence(node.elements.map(shapeOf));
    case 'Group': case 'CapturingGroup': case 'Pattern': return choice(node.alternatives.map(shapeOf));
    default: return single(ANY);
  }
}

/** Whether everything between `node` and the end (or start) of `outer` can match empty. */
function reachesEdge(node: Node, outer: Node, edge: 'end' | 'start'): boolean {
  let child: Node = node;
  while (child !== outer && child.parent) {
    const parent: Node = child.parent;
    if (parent.type === 'Alternative') {
      const i = parent.elements.indexOf(child as AST.Element);
      const rest = edge === 'end' ? parent.elements.slice(i + 1) : parent.elements.slice(0, i);
      if (!rest.every((e) => shapeOf(e).nullable)) return false;
    }
    child = parent;
  }
  return true;
}

function quantifiersIn(node: Node): AST.Quantifier[] {
  const found: AST.Quantifier[] = [];
  const walk = (n: Node) => {
    if (n.type === 'Quantifier') found.push(n);
    if (n.type === 'Assertion' && (n.kind === 'lookahead' || n.kind === 'lookbehind')) return; // consumes nothing
    for (const child of childrenOf(n)) walk(child);
  };
  walk(node);
  return found;
}

function childrenOf(n: Node): Node[] {
  if (n.type === 'Quantifier') return [n.element];
  if (n.type === 'Alternative') return n.elements;
  if ('alternatives' in n) return n.alternatives;
  return [];
}

function describeRisk(q: AST.Quantifier): string | undefined {
  if (q.max <= 1) return undefined;
  const body = q.element;
  const bodyShape = shapeOf(body);
  if (q.max === Infinity && (body.type === 'Group' || body.type === 'CapturingGroup') && body.alternatives.length > 1) {
    const firsts = body.alternatives.map((a) => shapeOf(a).first);
    for (let i = 0; i < firsts.length; i++) {
      for (let j = i + 1; j < firsts.length; j++) {
        if (overlaps(firsts[i]!, firsts[j]!)) return `repeats alternatives that can match the same text (${q.raw})`;
      }
    }
  }
  for (const inner of quantifiersIn(body)) {
    if (inner === q) continue;
    // A choice point inside a repetition: unbounded inside any repetition, or of variable length inside an unbounded one.
    const risky = inner.max === Infinity || (q.max === Infinity && inner.max > inner.min);
    if (!risky) continue;
    const innerChars = shapeOf(inner.element).chars;
    const handsOverAtEnd = reachesEdge(inner, body, 'end') && overlaps(bodyShape.first, innerChars);
    const handsOverAtStart = reachesEdge(inner, body, 'start') && overlaps(bodyShape.last, innerChars);
    if (handsOverAtEnd || handsOverAtStart) return `nests a repetition inside another that can split the same text in many ways (${q.raw})`;
  }
  return undefined;
}

/**
 * Longer patterns are refused before any analysis: the check looks at pairs of repetitions, so
 * its own cost grows with the square of the pattern, and real schemas' patterns are short.
 */
export const MAX_PATTERN_LENGTH = 1000;

/**
 * Why `pattern` (an ECMA-262 pattern, as JSON Schema's `pattern` is read with the u flag) is
 * refused, or undefined when it is accepted.
 */
export function unsafePatternReason(pattern: string): string | undefined {
  if (pattern.length > MAX_PATTERN_LENGTH) return `must be at most ${MAX_PATTERN_LENGTH} characters`;
  let ast: AST.Pattern;
  try {
    ast = new RegExpParser().parsePattern(pattern, 0, pattern.length, { unicode: true });
  } catch (err) {
    return `is not a valid regular expression (${(err as Error).message})`;
  }
  for (const q of quantifiersIn(ast)) {
    const reason = describeRisk(q);
    if (reason) return `${reason}: such a pattern backtracks catastrophically in common regular-expression engines`;
  }
  return undefined;
}
