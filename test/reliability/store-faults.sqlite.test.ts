/**
 * Scenario 3, store faults on SQLite (docs/reliability.md): the disk fills up, and the file stops being
 * writable, under a running hookd with a steady publisher. Publishes answer 503 problems that
 * say what is wrong, reads and the process stay up, nothing answered 503 is half-written, the
 * process resumes on its own once the fault is gone, every event accepted is delivered, and the
 * file passes PRAGMA integrity_check after. The PostgreSQL half is store-outage.pg.test.ts.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectedPairs, type HookdClient } from '../hookd-client.js';
import type { HookdProcess } from '../hookd-process.js';
import { pairCounter, startReceiver, type Receiver } from '../receiver.js';
import { until } from '../wait.js';
import { ADMIN_KEY, deploy, type Deployment } from './deployment.js';
import { startPublisher, type Publisher } from './publisher.js';
import { report } from './report.js';
import { sized } from './scale.js';
import { fillDisk, inspectStore, setImmutable, smallDisk } from './sqlite-file.js';
import { cleanupAfterEach } from '../cleanup.js';

const ENDPOINTS = 2;
/** 503 answers to see before the fault is lifted: the fault has lasted, not just begun. */
const REFUSALS = sized(200, 20);
const RETRIES = '0,100ms,200ms,400ms,800ms,1s,1s,1s,1s,1s';

describe('reliability: SQLite disk faults', () => {
  const cleanup = cleanupAfterEach({ failOnError: false });

  /** hookd on `dataDir` with endpoints on a receiver, and a publisher of `padding`-sized events running. */
  async function underLoad(dataDir: string | undefined, padding: number) {
    const receiver = await startReceiver(undefined, { light: true });
    cleanup.push(() => receiver.close());
    const deployment = await deploy({ dataDir, env: { HOOKD_RETRY_SCHEDULE: RETRIES, HOOKD_REQUEST_TIMEOUT: '2s', HOOKD_LEASE: '4s' } });
    cleanup.push(() => deployment.close());
    const p = await deployment.start();
    const http = deployment.client(p);
    const { scope } = await http.workspace(receiver, ENDPOINTS);
    const publisher = startPublisher({
      target: () => p.url, adminKey: ADMIN_KEY, scope, concurrency: 4, data: (n) => ({ object: { n, padding: 'x'.repeat(padding) } }),
    });
    cleanup.push(() => publisher.stop());
    await until('some events are accepted', () => publisher.accepted.length >= 50, 30_000, 20);
    return { receiver, deployment, p, http, scope, publisher };
  }

  /** While the fault lasts: what a publishing client and an operator see. */
  async function duringFault(http: HookdClient, scope: Record<string, string>, publisher: Publisher, detail: RegExp) {
    await until(`${REFUSALS} publishes are answered 503`, () => publisher.unavailable.length >= REFUSALS, 60_000, 20).catch((err: Error) => {
      throw new Error(`${err.message}: ${publisher.accepted.length} accepted, ${publisher.unanswered} unanswered, unexpected: ${publisher.unexpected.slice(0, 3).join(' | ')}`);
    });
    const res = await http.call('POST', '/v1/events', { type: 'payment.succeeded', data: { object: { probe: true } } }, scope);
    expect(res.status, res.text).toBe(503);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.json()).toMatchObject({ status: 503, type: 'urn:hookd:problem:store_unavailable', detail: expect.stringMatching(detail) });
    // Reads need no writing: the API still lists what it holds, and the process answers probes.
    expect((await http.call('GET', '/v1/events?count=1', undefined, scope)).status).toBe(200);
    expect((await http.call('GET', '/health')).status).toBe(200);
    return String(res.json().detail);
  }

  /** After the fault: publishing resumes, everything accepted arrives, and the file is whole. */
  async function afterFault(run: { receiver: Receiver; deployment: Deployment; p: HookdProcess; publisher: Publisher }) {
    const { receiver, deployment, p, publisher } = run;
    const resumedFrom = publisher.accepted.length;
    await until('publishes are accepted again', () => publisher.accepted.length >= resumedFrom + 50, 30_000, 20);
    await publisher.stop();
    const pairs = pairCounter(receiver);
    const expected = expectedPairs(publisher.accepted, ENDPOINTS);
    await until('every accepted (event, endpoint) pair has arrived', () => pairs.missing(expected).length === 0, 60_000, 200).catch(() => undefined);
    p.child.kill('SIGTERM');
    expect(await p.exited).toBe(0);
    const stored = inspectStore(join(deployment.dataDir, 'hookd.db'));
    return { pairs, expected, stored };
  }

  it('the disk fills up: 503 "disk is full", nothing half-written, resumes when space is freed, integrity_check ok', async (ctx) => {
    const startedAt = Date.now();
    const disk = smallDisk(48);
    if (!disk) ctx.skip('mounting a small tmpfs needs root');
    cleanup.push(() => disk!.remove());
    const run = await underLoad(disk!.dir, 16_000);
    const ballast = fillDisk(disk!.dir, 2 * 1024 * 1024);

    const detail = await duringFault(run.http, run.scope, run.publisher, /disk .* is full/);
    rmSync(ballast);
    const { pairs, expected, stored } = await afterFault(run);
    report({
      scenario: 'store fault: disk full (SQLite)', did: `tmpfs filled while publishing 16 KB events to ${ENDPOINTS} endpoints, then space freed`,
      accepted: run.publisher.accepted.length, delivered: expected.length - pairs.missing(expected).length, expected: expected.length,
      duplicates: pairs.extraArrivals(), startedAt,
      notes: `${run.publisher.unavailable.length} publishes answered 503 "${detail}"; integrity_check ${stored.integrity}`,
    });

    expect(run.publisher.unexpected).toEqual([]);
    expect(run.publisher.unanswered).toBe(0);
    expect(pairs.missing(expected)).toEqual([]);
    expect(stored.integrity).toBe('ok');
    // Every 201 is in the file and nothing answered 503 is: a publish committed whole or not at all.
    expect(stored.eventIds).toEqual(new Set(run.publisher.accepted));
  }, sized(300_000, 90_000));

  it('the SQLite file becomes unwritable (immutable) mid-run: 503 that says so, resumes when writable, integrity_check ok', async (ctx) => {
    const startedAt = Date.now();
    const run = await underLoad(undefined, 200);
    const files = ['hookd.db', 'hookd.db-wal'].map((f) => join(run.deployment.dataDir, f));
    if (!setImmutable(files, true)) ctx.skip('chattr +i is not supported here (needs root and ext4 or similar)');
    let immutable = true;
    // Cleared before the deployment removes its directory, whatever happens.
    cleanup.push(() => void (immutable && setImmutable(files, false)));

    const detail = await duringFault(run.http, run.scope, run.publisher, /can still be written/);
    expect(setImmutable(files, false)).toBe(true);
    immutable = false;
    const { pairs, expected, stored } = await afterFault(run);
    report({
      scenario: 'store fault: read-only file (SQLite)', did: `hookd.db and its WAL made immutable while publishing to ${ENDPOINTS} endpoints, then writable again`,
      accepted: run.publisher.accepted.length, delivered: expected.length - pairs.missing(expected).length, expected: expected.length,
      duplicates: pairs.extraArrivals(), startedAt,
      notes: `${run.publisher.unavailable.length} publishes answered 503 "${detail}"; integrity_check ${stored.integrity}`,
    });

    expect(run.publisher.unexpected).toEqual([]);
    expect(run.publisher.unanswered).toBe(0);
    expect(pairs.missing(expected)).toEqual([]);
    expect(stored.integrity).toBe('ok');
    expect(stored.eventIds).toEqual(new Set(run.publisher.accepted));
  }, sized(300_000, 90_000));
});
