import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { folderCycles, folderGraph, type FolderGraph } from './folder-imports.js';

const graph = (edges: Record<string, string[]>): FolderGraph => new Map(Object.entries(edges).map(([from, to]) => [from, new Set(to)]));

describe('folderCycles', () => {
  it.each<{ name: string; edges: Record<string, string[]>; cycles: string[][] }>([
    { name: 'a chain', edges: { a: ['b'], b: ['c'], c: [] }, cycles: [] },
    { name: 'two folders importing each other', edges: { a: ['b'], b: ['a'] }, cycles: [['a', 'b', 'a']] },
    { name: 'a loop of three', edges: { api: ['store'], store: ['resources'], resources: ['api'] }, cycles: [['api', 'store', 'resources', 'api']] },
    { name: 'two separate cycles', edges: { a: ['b'], b: ['a'], c: ['d'], d: ['c'], e: ['a', 'c'] }, cycles: [['a', 'b', 'a'], ['c', 'd', 'c']] },
    { name: 'a diamond', edges: { a: ['b', 'c'], b: ['d'], c: ['d'], d: [] }, cycles: [] },
    { name: 'the shortest way round a component', edges: { a: ['b', 'c'], b: ['c'], c: ['a'] }, cycles: [['a', 'c', 'a']] },
  ])('$name', ({ edges, cycles }) => {
    expect(folderCycles(graph(edges))).toEqual(cycles);
  });
});

describe('folderGraph', () => {
  it('reads value imports, type imports, re-exports and import() between folders, and leaves out tests', () => {
    const fixture = fileURLToPath(new URL('./fixtures/folder-imports', import.meta.url));
    const edges = Object.fromEntries([...folderGraph(fixture)].map(([from, to]) => [from, [...to].sort()]));
    expect(edges).toEqual({ '.': ['low'], low: [], mid: ['low'], top: ['low', 'mid', 'top/inner'], 'top/inner': [] });
  });
});

describe('src/', () => {
  it('has no import cycle between its folders', () => {
    const root = fileURLToPath(new URL('../src', import.meta.url));
    expect(folderCycles(folderGraph(root))).toEqual([]);
  });
});
