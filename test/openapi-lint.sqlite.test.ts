/**
 * Redocly's linter, with its recommended rules, finds nothing in the served /openapi.json: no
 * error and no warning (docs/development.md, "The OpenAPI document"). A problem is fixed in the
 * route schemas (api/schemas.ts, api/openapi.ts, the routes), never by turning a rule off. The
 * CLI runs offline: no usage data, no update check. On SQLite only: the document does not
 * depend on the store.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';

const REDOCLY = fileURLToPath(new URL('../node_modules/.bin/redocly', import.meta.url));

interface LintReport {
  totals: { errors: number; warnings: number };
  problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
}

let h: TestHookd;
let dir: string;
beforeAll(async () => {
  // Without HOOKD_PUBLIC_URL, servers is the origin fetched (127.0.0.1): the harness's default,
  // http://localhost:8080, is what the no-server-example.com rule warns about.
  h = await startHookd({ publicUrl: '' });
  await h.app.listen({ port: 0, host: '127.0.0.1' });
  dir = mkdtempSync(join(tmpdir(), 'hookd-openapi-lint-'));
});
afterAll(async () => {
  await h.close();
  rmSync(dir, { recursive: true, force: true });
});

it('reports no error and no warning under the recommended rules', async () => {
  const { port } = h.app.server.address() as { port: number };
  const res = await fetch(`http://127.0.0.1:${port}/openapi.json`);
  expect(res.status).toBe(200);
  const file = join(dir, 'openapi.json');
  writeFileSync(file, await res.text());
  // Exit status 1 means errors were found; the report on stdout says which, so it is read either way.
  const run = await promisify(execFile)(REDOCLY, ['lint', file, '--extends=recommended', '--format=json'], {
    // In the temporary directory, so that no redocly.yaml but the rules named here applies.
    cwd: dir,
    env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' },
    maxBuffer: 16 * 1024 * 1024,
  }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? String(err) }));
  let report: LintReport;
  try {
    report = JSON.parse(run.stdout) as LintReport;
  } catch {
    throw new Error(`redocly printed no JSON report:\n${run.stdout}\n${run.stderr}`);
  }
  const problems = report.problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location.map((l) => l.pointer).join(', ')}: ${p.message}`);
  expect(problems).toEqual([]);
  expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
}, 60_000);
