/**
 * The client runs on web-standard APIs alone (fetch, URL, Headers, AbortController,
 * setTimeout, crypto.randomUUID when there): its sources import nothing but each other, use no
 * Node global, and, transpiled and loaded in a Node process that refuses them every builtin
 * and has no Buffer, publish through a fetch of the test's own.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const files = readdirSync(SRC).filter((f) => f.endsWith('.ts')).map((f) => join(SRC, f));

/** Every module specifier of a file (import, export … from, import(), import types) and every identifier, from the AST. */
function scan(file: string): { specifiers: string[]; identifiers: Set<string> } {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const specifiers: string[] = [];
  const identifiers = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) identifiers.add(node.text);
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) specifiers.push(node.arguments[0].text);
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) specifiers.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { specifiers, identifiers };
}

describe('web-standard APIs only', () => {
  it('finds the sources', () => {
    expect(files.map((f) => relative(SRC, f)).sort()).toEqual(['client.ts', 'errors.ts', 'index.ts', 'options.ts', 'pages.ts', 'retry.ts', 'transport.ts', 'types.ts']);
  });

  it.each(files.map((f) => [relative(SRC, f), f]))('%s imports only other files of the package and uses no Node global', (_name, file) => {
    const { specifiers, identifiers } = scan(file);
    for (const spec of specifiers) expect(spec, `${file} imports ${spec}`).toMatch(/^\.\.?\//);
    for (const name of ['Buffer', 'process', 'require', 'global', '__dirname', 'NodeJS', 'setImmediate']) expect(identifiers.has(name), `${file} uses ${name}`).toBe(false);
  });

  it('package.json has no dependencies of any kind', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    for (const key of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) expect(pkg[key]).toBeUndefined();
  });

  it('publishes, retrying with one key, in a process where it cannot load a builtin and Buffer is gone; and without globalThis.crypto', () => {
    const out = mkdtempSync(join(tmpdir(), 'hookd-client-web-only-'));
    try {
      const lib = join(out, 'lib');
      for (const file of files) {
        const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
        const target = join(lib, relative(SRC, file).replace(/\.ts$/, '.js'));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, outputText);
      }
      writeFileSync(join(out, 'hooks.mjs'), `
        const LIB = ${JSON.stringify(pathToFileURL(lib).href + '/')};
        const BUILTINS = new Set(${JSON.stringify(builtinModules)});
        export async function resolve(specifier, context, next) {
          if (context.parentURL?.startsWith(LIB) && (specifier.startsWith('node:') || BUILTINS.has(specifier))) {
            throw new Error('the library imported the builtin ' + specifier + ' from ' + context.parentURL);
          }
          return next(specifier, context);
        }`);
      writeFileSync(join(out, 'register.mjs'), `import { register } from 'node:module'; register('./hooks.mjs', import.meta.url);`);
      writeFileSync(join(out, 'run.mjs'), `
        const HeadersClass = Headers; // Node loads its Fetch API lazily, with Buffer: take it first.
        // Node's own Response needs Buffer: the fetch of this test answers what the client reads.
        const answer = (status, body) => ({ status, headers: new HeadersClass(), text: async () => body });
        delete globalThis.Buffer;
        if (typeof Buffer !== 'undefined') throw new Error('Buffer is still there');
        const { createClient } = await import('./lib/index.js');
        const keys = [];
        const fetch = async (url, init) => {
          keys.push(new HeadersClass(init.headers).get('x-idempotency-key'));
          return keys.length % 2 === 1
            ? answer(503, '{"type":"urn:hookd:problem:store_unavailable","title":"x","status":503,"traceId":"req_1"}')
            : answer(201, JSON.stringify({ id: 'evt_1', url }));
        };
        const client = createClient({ url: 'http://hookd.test', key: 'fskt_x', fetch, sleep: async () => {}, maxRetryTime: 1000 });
        const first = await client.events.publish({ type: 'a.b', data: { object: {} } });
        Object.defineProperty(globalThis, 'crypto', { value: undefined, configurable: true });
        const second = await client.events.publish({ type: 'a.b', data: { object: {} } });
        const probe = await import('./lib/probe.js').then(() => 'loaded', (e) => e.message);
        console.log(JSON.stringify({ first, second, keys, probe }));`);
      writeFileSync(join(lib, 'probe.js'), `import 'node:crypto';`);
      const stdout = execFileSync(process.execPath, ['--import', './register.mjs', 'run.mjs'], { cwd: out, encoding: 'utf8' });
      const { first, keys, probe } = JSON.parse(stdout) as { first: { id: string }; keys: string[]; probe: string };
      expect(first).toEqual({ id: 'evt_1', url: 'http://hookd.test/v1/events' });
      expect(keys).toHaveLength(4);
      expect(keys[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(keys[1]).toBe(keys[0]);
      // Without WebCrypto (Node 18 without --experimental-global-webcrypto): 128 random bits in hex.
      expect(keys[2]).toMatch(/^[0-9a-f]{32}$/);
      expect(keys[3]).toBe(keys[2]);
      expect(probe).toMatch(/imported the builtin node:crypto/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
