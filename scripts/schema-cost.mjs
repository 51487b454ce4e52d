#!/usr/bin/env node
/**
 * The table of docs/security.md "Event-type schemas (validation cost)": for each schema, the
 * bound hookd computes for a 256 KiB event (src/api/schema-cost.ts) beside what Ajv took on
 * the worst event for it, validated as hookd validates (the catalog's Ajv). Timings move with
 * the machine's load (threefold on a shared one); the bound does not. Not a test.
 * Usage: npm run build && node scripts/schema-cost.mjs [filter]
 */
import { performance } from 'node:perf_hooks';
import { createCatalogAjv } from '../dist/api/catalog-ajv.js';
import { schemaCost } from '../dist/api/schema-cost.js';

const MAX = 256 * 1024 - 60; // the publish body around data.object
const range = (n) => Array.from({ length: n }, (_, i) => i);
const props = (n, sub = { type: 'string' }) => Object.fromEntries(range(n).map((i) => [`p${i}`, sub]));
const obj = (properties) => ({ type: 'object', properties });
const itemsOf = (items, extra = {}) => obj({ a: { type: 'array', items, ...extra } });
/** As many gen(i) as fit in a 256 KiB event. */
function fill(gen) {
  const out = [];
  for (let i = 0, size = 2; ; i++) {
    const v = gen(i);
    size += JSON.stringify(v).length + 1;
    if (size > MAX) return out;
    out.push(v);
  }
}
let deep = [];
for (let i = 0; i < 27; i++) deep = [deep];
let leaf = 0;
const tree = (d) => (d === 0 ? { v: 1, [`k${leaf++}`]: 0 } : { v: 1, left: tree(d - 1), right: tree(d - 1) });
const ownShapes = (i) => ({ [`k${i.toString(36)}`]: 0 });

const ROWS = [
  ['uniqueItems, no bound: 30,000 one-element arrays', obj({ a: { type: 'array', uniqueItems: true } }), () => ({ a: range(30_000).map((i) => [i]) })],
  ['uniqueItems, maxItems 64: 64 items of 4 KB differing first', obj({ tags: { type: 'array', maxItems: 64, uniqueItems: true } }), () => ({ tags: range(64).map((i) => [i, ...new Array(2_030).fill(0)]) })],
  ['items: uniqueItems arrays of up to 64', itemsOf({ type: 'array', maxItems: 64, uniqueItems: true }), () => ({ a: fill(() => range(64).map((i) => [i])) })],
  ['uniqueItems on items: {type: string}', obj({ tags: { type: 'array', items: { type: 'string' }, uniqueItems: true } }), () => ({ tags: fill((i) => `t${i}`) })],
  ['recursion through one anyOf branch, 28 deep', { definitions: { n: { anyOf: [{ type: 'array', items: { $ref: '#/definitions/n' } }] } }, ...obj({ a: { $ref: '#/definitions/n' } }) }, () => ({ a: fill(() => deep) })],
  ['binary tree, 2^12 leaves of their own shapes', { definitions: { t: obj({ v: { type: 'number' }, left: { $ref: '#/definitions/t' }, right: { $ref: '#/definitions/t' } }) }, $ref: '#/definitions/t' }, () => tree(12)],
  ['items: 10 optional properties, objects of their own shapes', itemsOf({ type: 'object', properties: props(10) }), () => ({ a: fill(ownShapes) })],
  ['items: 20 optional properties, objects of their own shapes', itemsOf({ type: 'object', properties: props(20) }), () => ({ a: fill(ownShapes) })],
  ['items: 20 optional properties, maxItems 500', itemsOf({ type: 'object', properties: props(20) }, { maxItems: 500 }), () => ({ a: range(500).map(ownShapes) })],
  ['items: 200 required properties', itemsOf({ type: 'object', required: range(200).map((i) => `p${i}`) }), () => ({ a: fill((j) => Object.fromEntries(range(200).map((i) => [`p${(i * 7 + j) % 200}`, 0]))) })],
  ['items: enum of 100, every one the last', itemsOf({ enum: range(100) }), () => ({ a: fill(() => 99) })],
  ['items: enum of 200, every one the last', itemsOf({ enum: range(200) }), () => ({ a: fill(() => 199) })],
  ['pattern ^[a-z]*$ on one 256 KiB string', obj({ s: { type: 'string', pattern: '^[a-z]*$' } }), () => ({ s: 'ab'.repeat(MAX / 2 - 20) })],
  ['patternProperties and additionalProperties', { type: 'object', patternProperties: { '^k[a-z0-9]*$': { type: 'number' } }, additionalProperties: { type: 'integer' } }, () => Object.fromEntries(fill((i) => [`${i % 2 ? 'k' : ''}${i.toString(36)}`, 0]))],
  ['format uri-template on one 256 KiB string', obj({ s: { type: 'string', format: 'uri-template' } }), () => ({ s: 'a'.repeat(MAX - 20) })],
];

const filter = process.argv[2] ?? '';
const { ajv } = createCatalogAjv();
for (const [label, schema, event] of ROWS.filter(([label]) => label.includes(filter))) {
  const { ns, errors } = schemaCost(schema);
  const object = event();
  const validate = ajv.compile(schema);
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    validate(object);
    best = Math.min(best, performance.now() - started);
  }
  const bound = ns < 1e15 ? `${(ns / 1e6).toFixed(0)} ms` : 'none';
  console.log(`${label.padEnd(60)} ${(errors.empty ? 'accepted' : 'refused').padEnd(8)} bound ${bound.padStart(7)}  measured ${best.toFixed(1).padStart(7)} ms`);
}
