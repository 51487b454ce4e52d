/**
 * AES-256-GCM for webhook secrets and endpoint tokens at rest (docs/delivery.md, docs/security.md).
 *
 * Keys form a ring: the first seals, every one opens. Sealed values name their key
 * (`v2.<key id>.<iv>.<tag>.<ct>`, base64url; the id is a hash prefix, never the key), so a
 * rotation adds a key in front, re-seals every row (`hookd keys rotate-encryption`), then
 * drops the old key, and a crash at any step leaves every value readable.
 *
 * Where keys come from: HOOKD_ENCRYPTION_KEY (+ HOOKD_PREVIOUS_ENCRYPTION_KEYS), or for a
 * single SQLite process `hookd.key` in the data directory (one base64 key a line, the current
 * one first), created with mode 0600 on first start.
 */
import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HookdError } from '../domain/errors.js';
import { makePrivateDir } from './private-files.js';

export interface SecretBox {
  seal(plaintext: string): string;
  /** `remember: false` for values read once (a replayed answer of up to 256 KiB), which would crowd secrets out of the cache. */
  open(sealed: string, options?: { remember?: boolean }): string;
  /** Sealed with the current key: nothing for a rotation to do. */
  isCurrent(sealed: string): boolean;
  /** A 32-byte key for another purpose (cursor signing), derived so that the master key is never reused as is. */
  derive(label: string): Buffer;
}

export const keyId = (key: Buffer): string => createHash('sha256').update(key).digest('base64url').slice(0, 8);

export function createSecretBox(keys: Buffer | Buffer[]): SecretBox {
  const ring = Array.isArray(keys) ? keys : [keys];
  if (ring.length === 0 || ring.some((k) => k.length !== 32)) throw new HookdError('config_invalid', 'Encryption keys must be 32 bytes');
  const current = ring[0]!;
  const currentId = keyId(current);
  const byId = new Map(ring.map((k) => [keyId(k), k]));

  function decrypt(key: Buffer, iv: string, tag: string, ct: string): string {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }

  // The dispatcher reads each endpoint with every claim, and an AES-GCM open costs ~15 µs plus
  // garbage (measured: 3–4 % of hookd's CPU at fan-out 10). A sealed value never changes, so
  // what it opens to is kept, for a bounded number of values (insertion order evicts the oldest).
  const opened = new Map<string, string>();
  const OPENED_MAX = 10_000;

  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current, iv);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v2', currentId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    open(sealed, { remember = true } = {}) {
      const known = opened.get(sealed);
      if (known !== undefined) return known;
      const plaintext = openUncached(sealed);
      if (!remember) return plaintext;
      if (opened.size >= OPENED_MAX) opened.delete(opened.keys().next().value!);
      opened.set(sealed, plaintext);
      return plaintext;
    },
    isCurrent(sealed) {
      return sealed.startsWith(`v2.${currentId}.`);
    },
    derive(label) {
      return createHmac('sha256', current).update(`hookd:${label}`).digest();
    },
  };

  function openUncached(sealed: string): string {
    const parts = sealed.split('.');
    // v1 (no key id) came before key rings: try every key.
    const [candidates, iv, tag, ct] = parts[0] === 'v2' && parts.length === 5
      ? [[byId.get(parts[1]!)].filter((k): k is Buffer => k !== undefined), parts[2]!, parts[3]!, parts[4]!]
      : parts[0] === 'v1' && parts.length === 4 ? [ring, parts[1]!, parts[2]!, parts[3]!] : [null, '', '', ''];
    if (candidates === null) throw new HookdError('internal', 'A stored secret is not in a format this hookd knows');
    for (const key of candidates) {
      try {
        return decrypt(key, iv, tag, ct);
      } catch {
        // the next key of the ring, if any
      }
    }
    throw new HookdError('internal', 'A stored secret cannot be decrypted: is the key it was sealed with in HOOKD_ENCRYPTION_KEY or HOOKD_PREVIOUS_ENCRYPTION_KEYS?');
  }
}

export const KEY_FILE = 'hookd.key';

function parseKeys(text: string, source: string): Buffer[] {
  const keys = text.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => Buffer.from(l, 'base64'));
  if (keys.length === 0 || keys.some((k) => k.length !== 32)) throw new HookdError('config_invalid', `${source} must hold base64 32-byte keys, one a line`);
  return keys;
}

/** Writes the key file atomically (a crash leaves the old file or the new one, never half of one), mode 0600. */
export function writeKeyFile(dataDir: string, keys: Buffer[]): void {
  makePrivateDir(dataDir);
  const file = join(dataDir, KEY_FILE);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, keys.map((k) => k.toString('base64')).join('\n') + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * The key ring: the settings' keys, else those of `<dataDir>/hookd.key`, created with one new
 * key on first start. `fromFile` says which, for `hookd keys rotate-encryption`.
 */
export function loadKeyRing(encryptionKey: string | null, previousKeys: readonly string[], dataDir: string): { keys: Buffer[]; fromFile: boolean } {
  if (encryptionKey) return { keys: [encryptionKey, ...previousKeys].map((k) => Buffer.from(k, 'base64')), fromFile: false };
  const file = join(dataDir, KEY_FILE);
  if (existsSync(file)) return { keys: parseKeys(readFileSync(file, 'utf8'), file), fromFile: true };
  makePrivateDir(dataDir);
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return { keys: [key], fromFile: true };
}
