/**
 * HMAC-SHA256 through WebCrypto (`crypto.subtle`), and a comparison that takes the same time
 * whatever the bytes: every byte is looked at, there is no early exit.
 */
import { UnsupportedRuntimeError } from './errors.js';

/** The part of WebCrypto's SubtleCrypto that this package uses (structural: any implementation fits). */
export interface SubtleCryptoLike {
  importKey(format: 'raw', keyData: Uint8Array, algorithm: { name: 'HMAC'; hash: 'SHA-256' }, extractable: boolean, keyUsages: ['sign']): Promise<object>;
  sign(algorithm: 'HMAC', key: object, data: Uint8Array): Promise<ArrayBuffer>;
}

/** A WebCrypto implementation: `globalThis.crypto` by default, or e.g. `(await import('node:crypto')).webcrypto` on Node 18. */
export interface CryptoLike {
  subtle: SubtleCryptoLike;
}

export function subtleCrypto(custom?: CryptoLike): SubtleCryptoLike {
  const subtle = custom?.subtle ?? (globalThis as { crypto?: { subtle?: SubtleCryptoLike } }).crypto?.subtle;
  if (!subtle) {
    throw new UnsupportedRuntimeError(
      'WebCrypto is not available (globalThis.crypto.subtle is undefined). On Node 18 start node with --experimental-global-webcrypto, ' +
      'or pass { crypto: (await import("node:crypto")).webcrypto } in the options; Node 19+, Deno, Bun, browsers and edge runtimes have it built in.',
    );
  }
  return subtle;
}

export async function hmacSha256(subtle: SubtleCryptoLike, key: Uint8Array, message: Uint8Array): Promise<Uint8Array> {
  const cryptoKey = await subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return new Uint8Array(await subtle.sign('HMAC', cryptoKey, message));
}

/**
 * True when both hold the same bytes. The loop always runs over the whole expected value and
 * accumulates differences, so its duration does not depend on where the first difference is.
 * A length difference returns at once: lengths are public (an HMAC-SHA256 is 32 bytes).
 */
export function constantTimeEqual(expected: Uint8Array, actual: Uint8Array): boolean {
  if (expected.length !== actual.length) return false;
  let diff = 0;
  for (let i = 0; i < expected.length; i++) diff |= (expected[i] as number) ^ (actual[i] as number);
  return diff === 0;
}

/** Compares against every candidate (no early exit on a match either) and says whether any matched. */
export function matchesAny(expected: Uint8Array, candidates: readonly Uint8Array[]): boolean {
  let matched = false;
  for (const candidate of candidates) matched = constantTimeEqual(expected, candidate) || matched;
  return matched;
}
