/**
 * The route fuzzer (docs/security.md) against a real hookd process on the store under test.
 * `npm test` sends a short run (HOOKD_FUZZ_COUNT, default 1 500); `npm run fuzz` sends 20 000
 * (`npm run fuzz -- --count N`). HOOKD_FUZZ_SEED replays a run; the summary line names its seed;
 * HOOKD_FUZZ_REPORT=<file> writes every bad answer and the server's error lines to <file>.<store>.
 */
import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEST_STORE } from '../helpers.js';
import { runFuzz } from './run.js';

const count = Number(process.env.HOOKD_FUZZ_COUNT ?? 1_500);
const seed = Number(process.env.HOOKD_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const concurrency = Number(process.env.HOOKD_FUZZ_CONCURRENCY ?? 8);

describe('route fuzzer', () => {
  it(`${count} malformed requests: no 5xx, problem+json for every 4xx, no crash, correct answers afterwards`, async () => {
    const result = await runFuzz({ count, seed, concurrency, store: TEST_STORE, databaseUrl: process.env.HOOKD_TEST_DATABASE_URL });
    console.log(result.summary);
    // Every bad answer, for a closer look: HOOKD_FUZZ_REPORT=/tmp/fuzz.json.
    if (process.env.HOOKD_FUZZ_REPORT) writeFileSync(`${process.env.HOOKD_FUZZ_REPORT}.${TEST_STORE}`, JSON.stringify(result, null, 2));
    const shown = result.violations.slice(0, 15).map((v) => `${v.problem}\n    ${v.request}`).join('\n');
    expect(result.violations.length, `seed ${seed}: ${result.violations.length} bad answers, the first:\n${shown}`).toBe(0);
    expect(result.serverErrors, `seed ${seed}: the server logged errors`).toEqual([]);
    expect(result.afterwards, `seed ${seed}`).toEqual([]);
    expect(result.requests).toBe(count);
  }, Math.max(60_000, count * 15));
});
