import { describe, expect, it } from 'vitest';
import { forwardedLine } from './forwarder.js';

describe('hookd listen, one line per event', () => {
  const at = new Date(Date.UTC(2026, 0, 15, 12, 0, 0));

  it.each([
    ['an answer', { type: 'payment.succeeded', id: 'evt_1' }, { status: 200, ms: 3 }, `2026-01-15T12:00:00.000Z  ${'payment.succeeded'.padEnd(32)} evt_1  → 200  3 ms`],
    ['a failure', { type: 'payment.failed', id: 'evt_2' }, { status: null, ms: 10_000, error: 'UND_ERR_CONNECT_TIMEOUT' }, `2026-01-15T12:00:00.000Z  ${'payment.failed'.padEnd(32)} evt_2  → failed (UND_ERR_CONNECT_TIMEOUT)  10000 ms`],
    // What a hostile server or local server could send: escaped, and the columns measured after escaping.
    ['hostile text', { type: 'a.\u001b[2J', id: 'evt_\u009b3' }, { status: null, ms: 1, error: 'x\r\n\u001b]0;t\u0007' }, `2026-01-15T12:00:00.000Z  ${'a.\\x1b[2J'.padEnd(32)} evt_\\x9b3  → failed (x\\r\\n\\x1b]0;t\\x07)  1 ms`],
  ])('%s', (_name, event, result, expected) => {
    const line = forwardedLine(at, event, result);
    expect(line).toBe(expected);
    // eslint-disable-next-line no-control-regex -- looking for raw control characters is the test
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
  });
});
