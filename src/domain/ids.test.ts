import { describe, expect, it } from 'vitest';
import { isId, newId, newPlatformKey, newWebhookSecret, newWorkspaceKey, randomBase62 } from './ids.js';

describe('ids', () => {
  it.each([
    ['wksp'], ['we'], ['evt'], ['wh'], ['req'],
  ] as const)('%s ids have a prefix and 24 base62 characters', (prefix) => {
    const id = newId(prefix);
    expect(id).toMatch(new RegExp(`^${prefix}_[0-9A-Za-z]{24}$`));
    expect(isId(id, prefix)).toBe(true);
  });

  it('sort by creation time as strings', () => {
    const ids = [1, 2, 61, 62, 3_844, 1_700_000_000_000, 1_800_000_000_000].map((t) => newId('evt', t));
    expect([...ids].sort()).toEqual(ids);
  });

  it.each([
    ['evt_short', 'evt', false],
    ['we_0000000000000000000000000', 'we', false],
    ['evt_00000000-000000000000000', 'evt', false],
    ['we_000000000000000000000000', 'evt', false],
    ['we_000000000000000000000000', 'we', true],
  ] as const)('isId(%s, %s) is %s', (value, prefix, expected) => {
    expect(isId(value, prefix)).toBe(expected);
  });

  it('keys are selectable with one double-click and secrets carry 32 bytes', () => {
    expect(newWorkspaceKey('test')).toMatch(/^fskt_[0-9A-Za-z]{40}$/);
    expect(newWorkspaceKey('live')).toMatch(/^fskl_[0-9A-Za-z]{40}$/);
    expect(newPlatformKey()).toMatch(/^hkp_[0-9A-Za-z]{40}$/);
    const secret = newWebhookSecret();
    expect(Buffer.from(secret.slice(5), 'base64')).toHaveLength(32);
    expect(randomBase62(1000)).toMatch(/^[0-9A-Za-z]{1000}$/);
  });
});
