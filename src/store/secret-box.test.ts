import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createSecretBox, keyId, loadKeyRing, writeKeyFile } from './secret-box.js';

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
    const { keys, fromFile } = loadKeyRing(null, [], dir);
    expect(fromFile).toBe(true);
    expect(statSync(join(dir, 'hookd.key')).mode & 0o777).toBe(0o600);
    expect(loadKeyRing(null, [], dir).keys[0]!.equals(keys[0]!)).toBe(true);
  });

  it('opens values sealed with any key of the ring, and seals with the first', () => {
    const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
    const sealedOld = createSecretBox(oldKey).seal('fwhs_x');
    const ring = createSecretBox([newKey, oldKey]);
    expect(ring.open(sealedOld)).toBe('fwhs_x');
    expect(ring.isCurrent(sealedOld)).toBe(false);
    const sealedNew = ring.seal('fwhs_x');
    expect(sealedNew.startsWith(`v2.${keyId(newKey)}.`)).toBe(true);
    expect(ring.isCurrent(sealedNew)).toBe(true);
    expect(() => createSecretBox(newKey).open(sealedOld)).toThrow(/HOOKD_PREVIOUS_ENCRYPTION_KEYS/);
  });

  it('reads and writes a key file of several keys, current first', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hookd-key-'));
    const keys = [randomBytes(32), randomBytes(32)];
    writeKeyFile(dir, keys);
    expect(statSync(join(dir, 'hookd.key')).mode & 0o777).toBe(0o600);
    expect(loadKeyRing(null, [], dir).keys.map((k) => k.toString('hex'))).toEqual(keys.map((k) => k.toString('hex')));
    const env = loadKeyRing(keys[1]!.toString('base64'), [keys[0]!.toString('base64')], dir);
    expect(env.fromFile).toBe(false);
    expect(env.keys[0]!.equals(keys[1]!)).toBe(true);
  });
});
