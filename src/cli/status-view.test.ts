import { describe, expect, it } from 'vitest';
import { renderStatus, type StatusAnswer } from './status-view.js';

/** What a terminal would act on or hide: C0 (ESC, BEL, line breaks), DEL, C1 (CSI U+009B), bidi and zero-width format characters. */
// eslint-disable-next-line no-control-regex -- looking for raw control characters is the test
const RAW = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/u;

describe('hookd status on screen', () => {
  // Everything a stranger could have typed, or a hostile server could answer, holds escapes.
  const hostile: StatusAnswer = {
    scope: { workspace: 'wksp_\x1b]0;owned\x07', live: false },
    generated: '2026-01-15T12:00:00.000Z',
    deliveries: { pending: 3, oldest_due: '2026-01-15T11:59:00.000Z' },
    failing_endpoints: {
      count: 1,
      data: [{ id: 'we_1\u009b2J', url: 'http://evil/\x1b[2J\x1b[8mhidden\x1b[0m\nwe_2  enabled  1s ago  https://fake/', status: 'enabled', failing_since: '2026-01-15T11:00:00.000Z' }],
    },
    recent_errors: [{ attempted: '2026-01-15T11:59:30.000Z', delivery: 'wh_1', endpoint: 'we_1', url: 'http://x/', code: 500, error: 'boom\r\x1b[1A\u202eok' }],
  };

  it('prints no raw control or format character, and every row stays on its own line', () => {
    const lines = renderStatus(hostile);
    for (const line of lines) for (const row of line.split('\n')) expect(row).not.toMatch(RAW);
    const screen = lines.join('\n');
    expect(screen).toContain('hookd status: wksp_\\x1b]0;owned\\x07 (test mode), at 2026-01-15T12:00:00.000Z');
    // The forged second row is part of the first row's URL cell, escaped, not a row of its own.
    expect(screen.split('\n').filter((l) => l.startsWith('we_'))).toHaveLength(1);
    // (A cell is cut at 60 characters.)
    expect(screen).toContain('we_1\\x9b2J  enabled  1h ago  http://evil/\\x1b[2J\\x1b[8mhidden\\x1b[0m\\nwe_2  enabled  1s a\n');
    expect(screen).toContain('30s ago  500   boom\\r\\x1b[1A\\u202eok  we_1      wh_1');
  });
});
