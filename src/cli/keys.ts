/**
 * `hookd keys rotate-encryption`: moves every stored secret (endpoints' secrets and tokens, and
 * the kept idempotent answers, which hold secrets and keys whole) to a new encryption key
 * without a moment where any value is unreadable.
 *
 * - Key file (SQLite, no HOOKD_ENCRYPTION_KEY): put a new key in front of the file, re-seal
 *   every row, then drop the old key from the file. A crash between steps leaves a ring that
 *   still opens everything; running the command again finishes the job.
 * - HOOKD_ENCRYPTION_KEY: the operator puts the new key there and the old one in
 *   HOOKD_PREVIOUS_ENCRYPTION_KEYS on every process, runs this once (it re-seals with the
 *   current key), then removes HOOKD_PREVIOUS_ENCRYPTION_KEYS everywhere.
 */
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import type { Config } from '../config/config.js';
import { openStore } from '../server/serve.js';
import { createSecretBox, loadKeyRing, writeKeyFile } from '../store/secret-box.js';

export async function rotateEncryption(config: Config, print: (line: string) => void): Promise<{ endpoints: number; answers: number }> {
  const dataDir = resolve(config.dataDir);
  const ring = loadKeyRing(config.encryptionKey, config.previousEncryptionKeys, dataDir);
  const keys = ring.fromFile ? [randomBytes(32), ...ring.keys] : ring.keys;
  if (ring.fromFile) writeKeyFile(dataDir, keys);
  const store = await openStore(config, createSecretBox(keys));
  let changed: { endpoints: number; answers: number };
  try {
    changed = await store.reencryptSecrets();
  } finally {
    await store.close();
  }
  const what = `${changed.endpoints} endpoint(s) and ${changed.answers} kept idempotent answer(s)`;
  if (ring.fromFile) {
    writeKeyFile(dataDir, [keys[0]!]);
    print(`hookd: re-encrypted ${what} with a new key; ${dataDir}/hookd.key now holds only the new key`);
  } else {
    print(`hookd: re-encrypted ${what} with HOOKD_ENCRYPTION_KEY; now remove HOOKD_PREVIOUS_ENCRYPTION_KEYS from every process`);
  }
  return changed;
}
