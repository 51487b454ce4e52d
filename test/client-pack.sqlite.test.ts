/**
 * @hookd/client as a user gets it: `npm pack` in packages/client, the tarball installed into a
 * fresh project with no network (the package has no dependencies), then a plain .mjs script
 * there publishes to a listening hookd, and a TypeScript file there typechecks against the
 * shipped declarations. Packing does not depend on the store: SQLite only.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';

const PACKAGE = fileURLToPath(new URL('../packages/client/', import.meta.url));
const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

describe('the packed @hookd/client', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-client-pack-'));
  let h: TestHookd;
  let url: string;
  let tarball: string;

  beforeAll(async () => {
    h = await startHookd();
    url = await h.app.listen({ port: 0, host: '127.0.0.1' });
    // prepack builds dist/ first, as it would before a publish.
    const [packed] = JSON.parse(execFileSync(NPM, ['pack', '--json', '--pack-destination', dir], { cwd: PACKAGE, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).replace(/^[^[]*/, '')) as { filename: string; files: { path: string }[] }[];
    tarball = join(dir, packed!.filename);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'platform-backend', private: true, type: 'module' }));
    execFileSync(NPM, ['install', tarball, '--no-audit', '--no-fund', '--offline', '--ignore-scripts'], { cwd: dir, stdio: 'pipe' });
  });
  afterAll(async () => {
    await h?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('holds the built files, the sources and the README, and nothing of the tests', () => {
    const listing = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listing).toEqual(expect.arrayContaining(['package/package.json', 'package/README.md', 'package/dist/index.js', 'package/dist/index.d.ts', 'package/src/types.ts']));
    expect(listing.filter((f) => f.includes('/test/'))).toEqual([]);
  });

  it('publishes from a plain Node script in a fresh project', async () => {
    const ws = await h.workspace();
    writeFileSync(join(dir, 'publish.mjs'), `
      import { createClient, HookdApiError } from '@hookd/client';
      const hookd = createClient({ url: process.env.HOOKD_URL, key: process.env.HOOKD_KEY });
      const event = await hookd.events.publish({ type: 'message.delivered', data: { object: { id: 'msg_1' } } }, { idempotencyKey: 'pack-test' });
      const again = await hookd.events.publish({ type: 'message.delivered', data: { object: { id: 'msg_1' } } }, { idempotencyKey: 'pack-test' });
      const bad = await hookd.events.publish({ type: 'no.such.type', data: { object: {} } }).catch((e) => e);
      console.log(JSON.stringify({ id: event.id, again: again.id, bad: bad instanceof HookdApiError ? [bad.status, bad.code] : String(bad) }));
    `);
    // Not execFileSync: hookd answers from this process, whose event loop must keep running.
    const { stdout } = await promisify(execFile)(process.execPath, ['publish.mjs'], { cwd: dir, encoding: 'utf8', env: { ...process.env, HOOKD_URL: url, HOOKD_KEY: ws.test } });
    const result = JSON.parse(stdout) as { id: string; again: string; bad: unknown };
    expect(result.id).toMatch(/^evt_/);
    expect(result.again).toBe(result.id);
    expect(result.bad).toEqual([400, 'validation_failed']);
    const stored = await h.call('GET', `/v1/events/${result.id}`, { key: ws.test });
    expect(stored.statusCode).toBe(200);
  });

  it('typechecks a TypeScript consumer against the shipped declarations, and catches a wrong body', () => {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, lib: ['ES2022', 'DOM'], types: [] }, files: ['good.ts'] }));
    writeFileSync(join(dir, 'good.ts'), `
      import { createClient, type Event, type WebhookEndpoint } from '@hookd/client';
      const hookd = createClient({ url: 'http://localhost:8080', key: 'fskt_x' });
      export async function run(): Promise<[Event, WebhookEndpoint[]]> {
        const event = await hookd.events.publish({ type: 'message.delivered', data: { object: {} } });
        const endpoints: WebhookEndpoint[] = [];
        for await (const e of hookd.endpoints.list()) endpoints.push(e);
        return [event, endpoints];
      }
    `);
    execFileSync(process.execPath, [TSC, '-p', '.'], { cwd: dir, encoding: 'utf8' });
    writeFileSync(join(dir, 'bad.ts'), `
      import { createClient } from '@hookd/client';
      void createClient({ url: 'http://localhost:8080', key: 'fskt_x' }).events.publish({ type: 'message.delivered', data: {} });
    `);
    let output = '';
    try {
      writeFileSync(join(dir, 'tsconfig.bad.json'), JSON.stringify({ extends: './tsconfig.json', files: ['bad.ts'] }));
      execFileSync(process.execPath, [TSC, '-p', 'tsconfig.bad.json'], { cwd: dir, encoding: 'utf8' });
    } catch (err) {
      output = String((err as { stdout?: string }).stdout);
    }
    expect(output).toMatch(/bad\.ts.*Property 'object' is missing/);
  });
});
