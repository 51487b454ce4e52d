/**
 * The library runs on plain WebCrypto: its sources import nothing but each other (no node:,
 * no crypto, no framework, not even for types), use no Buffer or process, and, transpiled and
 * loaded in a Node process where any builtin import from them is refused and Buffer is deleted,
 * verify what hookd signs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { webcrypto } from 'node:crypto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { constructEvent, UnsupportedRuntimeError, verifyFaluSignature } from '../src/index.js';
import { hookdDelivery, NOW } from './fixtures.js';

const SRC = fileURLToPath(new URL('../src/', import.meta.url));

function sourceFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []);
}

/**
 * From the TypeScript AST (so comments do not count): every module specifier in a file (import,
 * export … from, import(), require(), import('…') types), and every identifier it uses.
 */
function scan(file: string): { specifiers: string[]; identifiers: Set<string> } {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const identifiers = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) identifiers.add(node.text);
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) found.push(node.moduleSpecifier.text);
    if (ts.isCallExpression(node) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])
      && (node.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(node.expression) && node.expression.text === 'require'))) found.push(node.arguments[0].text);
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) found.push(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return { specifiers: found, identifiers };
}

describe('plain WebCrypto', () => {
  const files = sourceFiles();

  it('finds the sources', () => {
    expect(files.map((f) => relative(SRC, f)).sort()).toEqual(expect.arrayContaining([
      'adapters/express.ts', 'adapters/fastify.ts', 'adapters/hono.ts', 'adapters/node.ts',
      'construct.ts', 'encoding.ts', 'errors.ts', 'event-types.ts', 'falu.ts', 'index.ts', 'standard.ts',
    ]));
  });

  it.each(files.map((f) => [relative(SRC, f), f]))('%s imports only other files of the package', (_name, file) => {
    const { specifiers, identifiers } = scan(file);
    for (const spec of specifiers) {
      expect(spec, `${file} imports ${spec}`).toMatch(/^\.\.?\//);
      expect(spec.startsWith('node:') || builtinModules.includes(spec)).toBe(false);
    }
    for (const name of ['Buffer', 'process', 'require', 'global', '__dirname', 'NodeJS']) expect(identifiers.has(name), `${file} uses ${name}`).toBe(false);
  });

  it('package.json has no dependencies of any kind', () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as Record<string, unknown>;
    for (const key of ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies']) expect(pkg[key]).toBeUndefined();
  });

  it('verifies hookd deliveries in a process where the library cannot load a builtin and Buffer is gone', () => {
    const out = mkdtempSync(join(tmpdir(), 'hookd-verify-webcrypto-'));
    try {
      const lib = join(out, 'lib');
      for (const file of files) {
        const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true } });
        const target = join(lib, relative(SRC, file).replace(/\.ts$/, '.js'));
        mkdirSync(dirname(target), { recursive: true });
        writeFileSync(target, outputText);
      }
      // A resolve hook that refuses every builtin (node:crypto, crypto, buffer…) to modules of the library.
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
      const deliveries = [hookdDelivery({ format: 'basic', rolled: 1 }), hookdDelivery({ format: 'cloud_events' })];
      writeFileSync(join(out, 'run.mjs'), `
        const input = ${JSON.stringify(deliveries.map((d) => ({ body: d.body, headers: d.headers, secrets: d.secrets })))};
        const HeadersClass = Headers; // Node loads its Fetch API lazily, with Buffer: take it first.
        delete globalThis.Buffer;
        if (typeof Buffer !== 'undefined') throw new Error('Buffer is still there');
        const lib = await import('./lib/index.js');
        const results = [];
        for (const d of input) {
          const ts = Number(d.headers['webhook-timestamp']);
          for (const secret of d.secrets) {
            const falu = await lib.verifyFaluSignature(d.body, d.headers['x-falu-signature'], secret, { now: ts });
            const standard = await lib.verifyStandardWebhook(new TextEncoder().encode(d.body), new HeadersClass(d.headers), secret, { now: ts });
            const event = await lib.constructEvent(d.body, d.headers, secret, { now: ts });
            results.push([falu.scheme, standard.scheme, event.type]);
          }
          const bad = await lib.verifyFaluSignature(d.body + ' ', d.headers['x-falu-signature'], d.secrets[0], { now: ts }).catch((e) => e.code);
          results.push([bad]);
        }
        // The importer refuses builtins for real: a library-side import of node:crypto fails.
        const probe = await import('./lib/probe.js').then(() => 'loaded', (e) => e.message);
        console.log(JSON.stringify({ results, probe }));`);
      writeFileSync(join(lib, 'probe.js'), `import 'node:crypto';`);
      const stdout = execFileSync(process.execPath, ['--import', './register.mjs', 'run.mjs'], { cwd: out, encoding: 'utf8' });
      const { results, probe } = JSON.parse(stdout) as { results: string[][]; probe: string };
      expect(results).toEqual([
        ['falu', 'standard', 'message.delivered'], ['falu', 'standard', 'message.delivered'], ['signature_mismatch'],
        ['falu', 'standard', 'message.delivered'], ['signature_mismatch'],
      ]);
      expect(probe).toMatch(/imported the builtin node:crypto/);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

describe('a runtime without globalThis.crypto (Node 18 without --experimental-global-webcrypto)', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('fails with unsupported_runtime, saying what to do; works with options.crypto', async () => {
    const d = hookdDelivery();
    vi.stubGlobal('crypto', undefined);
    expect(globalThis.crypto).toBeUndefined();
    const err = await verifyFaluSignature(d.body, d.headers['x-falu-signature'], d.secrets[0]!, { now: NOW }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnsupportedRuntimeError);
    expect(err).toMatchObject({ code: 'unsupported_runtime', isRequestError: false, message: expect.stringMatching(/--experimental-global-webcrypto/) });
    const event = await constructEvent(d.body, d.headers, d.secrets[0]!, { now: NOW, crypto: webcrypto });
    expect(event.id).toBe(d.event.id);
  });
});
