import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, loadEncryptionKey } from './secret-box.js';

describe('secret box', () => {
  it('round-trips and never stores the plaintext', () => {
    const box = createSecretBox(randomBytes(32));
    const sealed = box.seal('fwhs_secret-value');
    expect(sealed).not.toContain('secret-value');
    expect(sealed).not.toBe(box.seal('fwhs_secret-value'));
    expect(box.open(sealed)).toBe('fwhs_secret-value');
  });

  it('refuses a value sealed with another key or tampered with', () => {
    const sealed = createSecretBox(randomBytes(32)).seal('x');
    expect(() => createSecretBox(randomBytes(32)).open(sealed)).toThrow(/cannot be decrypted/);
  });

  it('creates the key file once, private to its owner', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hookd-key-')), 'data');
    const key = loadEncryptionKey(null, dir);
    expect(statSync(join(dir, 'hookd.key')).mode & 0o777).toBe(0o600);
    expect(loadEncryptionKey(null, dir).equals(key)).toBe(true);
  });
});
