import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BEGIN_MARKER, configReference, END_MARKER, withConfigReference } from './reference.js';
import { SETTINGS } from './settings.js';

const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

describe('the configuration reference in docs/operations.md', () => {
  it('is the one generated from the settings (regenerate: npm run build && node scripts/config-reference.mjs --write)', () => {
    expect(doc).toContain(BEGIN_MARKER);
    expect(doc).toContain(END_MARKER);
    expect(withConfigReference(doc)).toBe(doc);
  });

  it('has one row per setting, with its default written as a user would set it', () => {
    const rows = configReference().split('\n').slice(2);
    expect(rows).toHaveLength(SETTINGS.length);
    expect(rows.find((r) => r.startsWith('| `HOOKD_LEASE` |'))).toMatch(/\| `1m` \|$/);
    // Markdown would take <burst> for an HTML tag and hide it.
    expect(rows.find((r) => r.startsWith('| `HOOKD_RATE_LIMIT` |'))).toContain('"&lt;requests per second&gt;,&lt;burst&gt;"');
    expect(rows.find((r) => r.startsWith('| `HOOKD_RETRY_SCHEDULE` |'))).toMatch(/\| `0,5s,5m,30m,2h,5h,10h,10h` \|$/);
    expect(rows.find((r) => r.startsWith('| `HOOKD_RATE_LIMIT` |'))).toMatch(/\| `100,200` \|$/);
    expect(rows.find((r) => r.startsWith('| `HOOKD_LOG_LEVEL` |'))).toMatch(/\| `info` \|$/);
  });

  it('notices a doc that lags behind', () => {
    const stale = doc.replace(/\| `HOOKD_LEASE` \|[^\n]*\n/, '');
    expect(withConfigReference(stale)).not.toBe(stale);
  });
});
