/**
 * AES-256-GCM for webhook secrets and endpoint tokens at rest (DESIGN.md §5–6). The key comes
 * from HOOKD_ENCRYPTION_KEY or, for a single SQLite process, from `hookd.key` in the data
 * directory, created with mode 0600 on first start. Sealed values look like `v1.<iv>.<tag>.<ct>`
 * (base64url) so that a later key rotation can tell old values from new ones.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HookdError } from '../domain/errors.js';

export interface SecretBox {
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** A 32-byte key for another purpose (cursor signing), derived so that the master key is never reused as is. */
  derive(label: string): Buffer;
}

export function createSecretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new HookdError('config_invalid', 'The encryption key must be 32 bytes');
  return {
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', key, iv);
      const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), ct.toString('base64url')].join('.');
    },
    open(sealed) {
      const [version, iv, tag, ct] = sealed.split('.');
      if (version !== 'v1' || iv === undefined || tag === undefined || ct === undefined) {
        throw new HookdError('internal', 'A stored secret is not in a format this hookd knows');
      }
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
        decipher.setAuthTag(Buffer.from(tag, 'base64url'));
        return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
      } catch (err) {
        throw new HookdError('internal', 'A stored secret cannot be decrypted: is HOOKD_ENCRYPTION_KEY the key it was sealed with?', { cause: err });
      }
    },
    derive(label) {
      return createHmac('sha256', key).update(`hookd:${label}`).digest();
    },
  };
}

/** The key from the setting, else from (or into) `<dataDir>/hookd.key`. */
export function loadEncryptionKey(encryptionKey: string | null, dataDir: string): Buffer {
  if (encryptionKey) return Buffer.from(encryptionKey, 'base64');
  const file = join(dataDir, 'hookd.key');
  if (existsSync(file)) {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new HookdError('config_invalid', `${file} does not hold a base64 32-byte key`);
    return key;
  }
  mkdirSync(dataDir, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return key;
}
