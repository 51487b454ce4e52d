/**
 * Every repository path a document or a code comment names exists: a moved file whose old path
 * stays in docs/ or in a comment fails here, so the map (docs/architecture.md) and the pages it
 * points to stay true to the tree.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const PATH = /(?<![\w./-])((?:src|test|dashboard|packages|bench|scripts|docs)\/[\w.*/-]*[\w*/])/g;

function files(dir: string, keep: (name: string) => boolean): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'fixtures' ? [] : files(path, keep);
    return keep(entry.name) ? [path] : [];
  });
}

/** A path exists, or for a glob (`src/api/schema-cost*.ts`) some file in its folder matches it. */
function exists(path: string): boolean {
  if (!path.includes('*')) return existsSync(join(ROOT, path));
  const folder = dirname(path);
  const name = new RegExp(`^${path.slice(folder.length + 1).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
  return existsSync(join(ROOT, folder)) && readdirSync(join(ROOT, folder)).some((entry) => name.test(entry));
}

/** Paths are from the repository's root, or from a package's own root for files inside packages/<name>/. */
function missingPaths(file: string, text: string): string[] {
  const packageRoot = /^packages\/[^/]+\//.exec(file)?.[0] ?? '';
  return [...new Set([...text.matchAll(PATH)].map((m) => m[1]!.replace(/\.$/, '')))]
    .filter((path) => !path.includes('results/') && !exists(path) && !(packageRoot && exists(packageRoot + path)))
    .map((path) => `${file}: ${path}`);
}

const PACKAGES = readdirSync(join(ROOT, 'packages')).map((name) => `packages/${name}`);
const sources = ['src', 'test', 'bench', 'scripts', 'dashboard/src', ...PACKAGES.flatMap((p) => [`${p}/src`, `${p}/test`])].flatMap((dir) => files(dir, (n) => /\.(ts|tsx|mjs)$/.test(n)));

describe('paths named in the repository', () => {
  it('exist, for every one named by a document', () => {
    const documents = ['README.md', 'BENCHMARKS.md', ...files('docs', (n) => n.endsWith('.md')), 'bench/README.md', ...PACKAGES.map((p) => `${p}/README.md`)];
    expect(documents.flatMap((file) => missingPaths(file, readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });

  it('exist, for every one named by a comment in the code', () => {
    const comments = (text: string) => [...text.matchAll(/\/\*[\s\S]*?\*\/|\/\/.*$/gm)].map((m) => m[0]).join('\n');
    expect(sources.flatMap((file) => missingPaths(file, comments(readFileSync(join(ROOT, file), 'utf8'))))).toEqual([]);
  });
});

describe('what the repository cites', () => {
  it('is in the repository: no code, test or document points at a design document or an issue a reader of it cannot open', () => {
    const texts = [...sources, 'README.md', 'BENCHMARKS.md', ...files('docs', (n) => n.endsWith('.md')), '.ci/run'].filter((file) => file !== 'test/doc-paths.test.ts');
    const outside = /DESIGN\.md|\bissue #?\d+/i;
    expect(texts.filter((file) => outside.test(readFileSync(join(ROOT, file), 'utf8')))).toEqual([]);
  });
});
