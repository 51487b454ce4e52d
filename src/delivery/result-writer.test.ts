import { describe, expect, it } from 'vitest';
import { HookdError } from '../domain/errors.js';
import { createMetrics } from '../metrics.js';
import type { DeliveryResult, Store } from '../store/types.js';
import { createResultWriter } from './result-writer.js';

const result = (delivery: string, status: DeliveryResult['status'], disableEndpoint = false): DeliveryResult => ({
  delivery, attempt: null, workspace: 'wksp_1', live: false, endpoint: 'we_1', status, nextAttemptAt: status === 'pending' ? 1 : null, etag: 'e', disableEndpoint,
});

describe('result writer', () => {
  it('says the store is down while outcomes wait on a store_unavailable error, and not for other errors', async () => {
    const failures: unknown[] = [new HookdError('store_unavailable', 'down'), new Error('a bug in one batch')];
    const seen: boolean[] = [];
    const store = {
      async recordResults() {
        const failure = failures.shift();
        if (failure) throw failure;
        return [];
      },
    } as unknown as Store;
    const writer = createResultWriter({ store, now: () => 0, onDisabled: () => undefined, onError: () => queueMicrotask(() => seen.push(writer.storeDown)) });
    expect(writer.storeDown).toBe(false);
    writer.push(result('wh_a', 'succeeded'));
    await writer.drain();
    expect(seen).toEqual([true, false]);
    expect(writer.storeDown).toBe(false);
  });

  it('keeps saying the store is down until every outcome that waited is written, not just the first batch', async () => {
    let up = false;
    const written: string[][] = [];
    const store = {
      async recordResults(batch: DeliveryResult[]) {
        if (!up) throw new HookdError('store_unavailable', 'down');
        written.push(batch.map((r) => r.delivery));
        return [];
      },
    } as unknown as Store;
    const seen: boolean[] = [];
    const writer = createResultWriter({
      store, now: () => 0, maxBatch: 2, onDisabled: () => undefined, onError: () => undefined,
      onWritten: () => seen.push(writer.storeDown),
    });
    for (const id of ['wh_a', 'wh_b', 'wh_c', 'wh_d', 'wh_e']) writer.push(result(id, 'succeeded'));
    await new Promise((r) => setTimeout(r, 20));
    expect(writer.storeDown).toBe(true);
    up = true;
    await writer.drain();
    expect(written).toEqual([['wh_a', 'wh_b'], ['wh_c', 'wh_d'], ['wh_e']]);
    expect(seen).toEqual([true, true, false]);
  });
});

describe('result writer metrics and log lines', () => {
  it('counts each ended delivery and each disabled endpoint once, after the write, even when a write had to be retried', async () => {
    let calls = 0;
    const store = {
      async recordResults(batch: DeliveryResult[]) {
        if (calls++ === 0) throw new Error('store down');
        return batch.some((r) => r.disableEndpoint) ? ['we_1'] : [];
      },
    } as unknown as Store;
    const metrics = createMetrics({ defaultMetrics: false });
    const lines: { level: string; obj: Record<string, unknown>; msg: string }[] = [];
    const log = {
      info: (obj: Record<string, unknown>, msg: string) => lines.push({ level: 'info', obj, msg }),
      debug: (obj: Record<string, unknown>, msg: string) => lines.push({ level: 'debug', obj, msg }),
    };
    const writer = createResultWriter({ store, now: () => 0, onDisabled: () => undefined, onError: () => undefined, metrics, log: log as never });
    writer.push(result('wh_a', 'succeeded'));
    writer.push(result('wh_b', 'failed', true));
    writer.push(result('wh_c', 'pending'));
    await writer.drain();

    const text = await metrics.registry.metrics();
    expect(text).toContain('hookd_deliveries_total{outcome="succeeded"} 1');
    expect(text).toContain('hookd_deliveries_total{outcome="failed"} 1');
    expect(text).not.toContain('outcome="pending"');
    expect(text).toContain('hookd_endpoints_disabled_total 1');
    expect(lines.map((l) => [l.level, l.obj.delivery, l.msg])).toEqual([
      ['debug', 'wh_a', 'delivery succeeded'],
      ['info', 'wh_b', 'delivery failed'],
      ['debug', 'wh_c', 'delivery attempt failed; retry scheduled'],
    ]);
  });
});
