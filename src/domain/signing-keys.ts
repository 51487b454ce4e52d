/**
 * Ed25519 signing keys (docs/delivery.md, "Signatures"): `whsk_` + base64 of the 32-byte
 * private seed, `whpk_` + base64 of the 32 raw public-key bytes, as Standard Webhooks' v1a.
 */
import { generateKeyPairSync } from 'node:crypto';

export const PRIVATE_KEY_PREFIX = 'whsk_';
export const PUBLIC_KEY_PREFIX = 'whpk_';

export function newSigningKey(): { privateKey: string; publicKey: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const d = privateKey.export({ format: 'jwk' }).d!;
  const x = publicKey.export({ format: 'jwk' }).x!;
  return { privateKey: PRIVATE_KEY_PREFIX + Buffer.from(d, 'base64url').toString('base64'), publicKey: PUBLIC_KEY_PREFIX + Buffer.from(x, 'base64url').toString('base64') };
}
