/**
 * The bound itself (docs/security.md "Event-type schemas (validation cost)"): for a value of
 * type t and b bytes, validation against a subschema costs at most `A[t] + R[t]·b`, and at most
 * `Rall[t]·b`. A gathers what is paid once (keywords, a named property's subschema), R and
 * Rall what is paid per byte: strings read, and the subschemas `items`,
 * `additionalProperties` and `patternProperties` apply to every item or member. Both are
 * computed for every subschema and every number of levels of data left below the value, and
 * where the cost concentrates is found from them.
 */
import { BYTES_PER_KEY, MIN_BYTES, NS, T, TYPES, type Own } from './schema-cost-own.js';
import { isObject, type EdgeKind } from './schema-graph.js';

/** HOOKD_MAX_EVENT_SIZE's default; a larger setting scales the time linearly. */
export const REFERENCE_EVENT_BYTES = 256 * 1024;
/** Levels of nesting inside `data.object`: the body may nest 32 (api/plugins/body.ts). */
export const DATA_DEPTH = 30;
/**
 * Estimated worst-case validation time of a REFERENCE_EVENT_BYTES event, in nanoseconds. The
 * estimate runs 2–50× above what the same events measure; 100 ms would refuse common shapes
 * (array items with 10 optional properties: 157 ms estimated, 27 ms measured).
 */
export const VALIDATION_BUDGET_NS = 250e6;
const S = REFERENCE_EVENT_BYTES;

type Kind = EdgeKind | 'ref';
export interface Node {
  path: string;
  schema: unknown;
  /** Own costs by value type (T). */
  own: Own[];
  width: number;
  edges: Array<{ kind: Kind; to: number; path: string; keyword: string }>;
}

/** Per level of data left below the value, per subschema and type: A, R and Rall. */
export interface Level { A: Float64Array; R: Float64Array; Rall: Float64Array }

const at = (i: number, t: number) => i * TYPES.length + t;
const worstType = (part: Float64Array, i: number) => Math.max(part[at(i, 0)]!, part[at(i, 1)]!, part[at(i, 2)]!, part[at(i, 3)]!);

/** For one value of any type, what a subschema costs: once and per byte (A, R), or per byte alone (Rall). */
function oneValue(L: Level, i: number): { A: number; R: number; Rall: number } {
  let [A, R, Rall] = [0, 0, 0];
  for (let t = 0; t < TYPES.length; t++) [A, R, Rall] = [Math.max(A, L.A[at(i, t)]!), Math.max(R, L.R[at(i, t)]!), Math.max(Rall, L.Rall[at(i, t)]!)];
  return { A, R, Rall };
}

/**
 * A value's own cost is charged to its own bytes (brackets, quotes, an object's keys), the
 * values inside it to theirs: per byte the two combine as a maximum, so nesting does not add
 * up rates level after level. Subschemas applied to the same value add up, part by part.
 */
export function bounds(nodes: Node[], order: number[]): Level[] {
  const levels: Level[] = [];
  const size = nodes.length * TYPES.length;
  const parts = () => ({ own: new Float64Array(size), kids: new Float64Array(size), sub: new Float64Array(size), rOwn: new Float64Array(size), rKids: new Float64Array(size) });
  let previous = parts();
  for (let d = 0; levels.length <= DATA_DEPTH; d++) {
    const L: Level = { A: new Float64Array(size), R: new Float64Array(size), Rall: new Float64Array(size) };
    const P = parts();
    const below = levels[d - 1];
    for (const i of order) {
      const { own, edges } = nodes[i]!;
      for (let t = 0; t < TYPES.length; t++) {
        const o = own[t]!;
        const k = at(i, t);
        if (!o.admits) {
          L.A[k] = o.once;
          L.Rall[k] = P.own[k] = o.once / MIN_BYTES[t]!;
          continue;
        }
        const read = Number.isFinite(o.readCap);
        let a = o.once + (read ? o.readCap : 0);
        const keyRate = o.perKey / BYTES_PER_KEY + o.perKeyByte;
        let pOwn = Math.max(o.once / o.ownBytes, o.ownRate) + keyRate + o.readPerChar;
        let rOwn = o.perKeyByte + (read ? 0 : o.readPerChar);
        let pKids = 0;
        let rKids = 0;
        let sub = o.perArrayByte;
        let named = 0;
        let namedAll = 0;
        // What every item or member pays: the loop's turns, and each subschema applied to it.
        let eachOwn = t === T.array ? o.perItem / MIN_BYTES[T.scalar]! : 0;
        let eachKids = 0;
        let eachSub = 0;
        let eachA = t === T.array ? o.perItem : 0;
        let eachR = 0;
        for (const e of edges) {
          if (e.kind === 'same' || e.kind === 'ref') {
            const u = at(e.to, t);
            const call = e.kind === 'ref' ? NS.step : 0;
            a += L.A[u]! + call;
            pOwn += P.own[u]! + call / MIN_BYTES[t]!;
            rOwn += P.rOwn[u]!;
            pKids += P.kids[u]!;
            rKids += P.rKids[u]!;
            sub += P.sub[u]!;
          } else if (e.kind === 'keys') {
            // propertyNames: each key is a string, charged to the object's own bytes.
            if (t !== T.object) continue;
            const names = levels[0]!.Rall[at(e.to, T.string)]!;
            pOwn += names;
            rOwn += names;
          } else if (below && t === (e.kind === 'tuple' || e.kind === 'item' ? T.array : T.object)) {
            if (e.kind === 'property' || e.kind === 'tuple') {
              // One value: paid once (A) or, when that bound is the larger, per byte of it.
              const c = oneValue(below, e.to);
              const viaOnce = c.A + c.R * S <= c.Rall * S;
              if (viaOnce) a += c.A;
              named = Math.max(named, viaOnce ? c.R : c.Rall);
              namedAll = Math.max(namedAll, c.Rall);
            } else {
              // Each subschema applied to every item or member adds up; of one, the worst type.
              eachOwn += worstType(previous.own, e.to);
              eachKids += worstType(previous.kids, e.to);
              eachSub += worstType(previous.sub, e.to);
              eachA += worstType(below.A, e.to);
              eachR += worstType(below.R, e.to);
            }
          }
        }
        // Every item or member pays its loop turns and what each applies to it; one may match
        // a name and patterns at once, so named and `each` rates add up. maxItems and
        // maxProperties fail before Ajv loops: at most that many, paid once (A) when cheaper.
        const each = Math.max(eachOwn, eachKids) + eachSub;
        const most = o.most;
        const capped = Number.isFinite(most) && most * (eachA + o.perKey) + eachR * S <= (each + o.perKey / BYTES_PER_KEY) * S;
        if (capped) a += most * (eachA + o.perKey);
        else rOwn += o.perKey / BYTES_PER_KEY;
        pKids += namedAll + each;
        rKids += named + (capped ? eachR : each);
        P.own[k] = pOwn;
        P.kids[k] = pKids;
        P.sub[k] = sub;
        P.rOwn[k] = rOwn;
        P.rKids[k] = rKids;
        L.A[k] = a;
        L.R[k] = Math.max(rOwn, rKids) + sub;
        L.Rall[k] = Math.max(pOwn, pKids) + sub;
      }
    }
    // Once a level changes nothing (the schema is shallower than the data), none will.
    const settled = d > 0 && sameArrays([L.A, L.R, L.Rall, P.own, P.kids, P.sub, P.rOwn, P.rKids], [below!.A, below!.R, below!.Rall, previous.own, previous.kids, previous.sub, previous.rOwn, previous.rKids]);
    levels.push(L);
    previous = P;
    if (settled) while (levels.length <= DATA_DEPTH) levels.push(L);
  }
  return levels;
}

const sameArrays = (a: Float64Array[], b: Float64Array[]) => a.every((x, i) => x.every((v, j) => v === b[i]![j]));

/** Validating one value of up to S bytes against the subschema, and applying it to every item or member of S bytes. */
const one = (levels: Level[], i: number, d: number) => {
  const c = oneValue(levels[d]!, i);
  return Math.min(c.A + c.R * S, c.Rall * S);
};
const ms = (ns: number) => (ns < 1e15 ? `${Math.round(ns / 1e6).toLocaleString('en')} ms` : 'without bound');
const ITEM_KEYWORDS = new Set(['items', 'additionalItems', 'contains']);

const OWN_COSTS = ['enum', 'const', 'required', 'properties', 'dependencies', 'patternProperties', 'additionalProperties', 'propertyNames', 'pattern', 'format', 'uniqueItems'];
const SAME_VALUE = new Set(['allOf', 'anyOf', 'oneOf', 'not', 'if', 'then', 'else', 'dependencies']);

/**
 * Where the cost concentrates: from the root, follow the subschema that alone is over the
 * budget; stop where none is, and name the largest part there.
 */
export function culprit(nodes: Node[], levels: Level[], total: number): [path: string, message: string] {
  let [i, d] = [0, DATA_DEPTH];
  const cost = `validating a worst-case 256 KiB event could take ${ms(total)} (hookd allows ${ms(VALIDATION_BUDGET_NS)}), most of it here`;
  for (;;) {
    let worst: { to: number; d: number; ns: number; keyword: string; path: string; each: boolean } | undefined;
    const byKeyword = new Map<string, number>();
    for (const e of nodes[i]!.edges) {
      const below = e.kind === 'same' || e.kind === 'ref' ? d : e.kind === 'keys' ? 0 : d - 1;
      if (below < 0) continue;
      const each = e.kind === 'member' || e.kind === 'keys' || e.kind === 'item';
      const ns = each ? (e.kind === 'keys' ? levels[0]!.Rall[at(e.to, T.string)]! : oneValue(levels[below]!, e.to).Rall) * S : one(levels, e.to, below);
      byKeyword.set(e.keyword, (byKeyword.get(e.keyword) ?? 0) + ns);
      if (!worst || ns > worst.ns) worst = { to: e.to, d: below, ns, keyword: e.keyword, path: e.path, each };
    }
    if (worst && worst.ns > VALIDATION_BUDGET_NS && (!worst.each || one(levels, worst.to, worst.d) > VALIDATION_BUDGET_NS)) {
      [i, d] = [worst.to, worst.d];
      continue;
    }
    if (worst && worst.ns > VALIDATION_BUDGET_NS) {
      const [what, bound] = ITEM_KEYWORDS.has(worst.keyword) ? ['item of the array', 'the array with maxItems'] : ['member of the object', 'the object with maxProperties'];
      return [worst.path, `${cost}: this subschema is applied to every ${what}; make it cheaper, or bound ${bound}`];
    }
    const whole = one(levels, i, d);
    const [keyword, ns] = [...byKeyword].reduce((a, b) => (b[1] > a[1] ? b : a), ['', 0]);
    const schema = nodes[i]!.schema;
    const own = isObject(schema) ? OWN_COSTS.filter((k) => schema[k] !== undefined).join(', ') : '';
    const part = ns > whole / 2
      ? `\`${keyword}\`${SAME_VALUE.has(keyword) ? ' (each of its subschemas checks the same value)' : keyword === '$ref' ? ' (what it points to)' : ''}`
      : `its own keywords${own ? ` (${own})` : ''}`;
    return [nodes[i]!.path, `${cost}, in ${part}`];
  }
}

/** data.object is an object (the publish route's schema says so). */
export const rootNs = (levels: Level[]) => {
  const L = levels[DATA_DEPTH]!;
  const k = at(0, T.object);
  return Math.min(L.A[k]! + L.R[k]! * S, L.Rall[k]! * S);
};
