import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signToken } from '../domain/signed-token.js';
import { openGrant, signGrant } from './grant.js';

/** Changes the signature's last two characters: to AA, or to BB when they were AA (1 signature in 1,024 ends so). */
const changeEnd = (t: string) => `${t.slice(0, -2)}${t.endsWith('AA') ? 'BB' : 'AA'}`;

describe('listen grants', () => {
  const key = randomBytes(32);
  const grant = { workspace: 'wksp_x', live: false, events: ['payment.*'], keyGeneration: 2, expires: 10_000 };

  it('opens what it signed until it expires', () => {
    const token = signGrant(grant, key);
    expect(openGrant(token, key, 9_999)).toEqual(grant);
    expect(openGrant(token, key, 10_000)).toBeNull();
  });

  it('refuses a grant without a key generation (signed before grants carried one)', () => {
    const { keyGeneration: _dropped, ...old } = grant;
    expect(openGrant(signToken(old, key), key, 0)).toBeNull();
  });

  it.each([
    ['another key', (t: string) => t, randomBytes(32)],
    ['a changed body', (t: string) => `${Buffer.from(JSON.stringify({ ...grant, live: true })).toString('base64url')}.${t.split('.')[1]}`, key],
    ['a changed signature', changeEnd, key],
    ['no signature', (t: string) => t.split('.')[0]!, key],
    ['garbage', () => 'not-a-token', key],
    ['a signed non-JSON body', () => 'x.y', key],
  ])('refuses %s', (_name, mangle, openKey) => {
    expect(openGrant(mangle(signGrant(grant, key)), openKey, 0)).toBeNull();
  });

  it('refuses a changed signature whose last characters were AA', () => {
    // A random key signs with a signature ending in AA once in 1,024 runs: search the keys
    // sha256(0), sha256(1), … for one that does, so the case is met on every run whatever the
    // grant's shape (found within a few thousand tries; the bound only stops a broken signer).
    let endsInAA: Buffer | null = null;
    for (let i = 0; i < 100_000 && endsInAA === null; i++) {
      const candidate = createHash('sha256').update(String(i)).digest();
      if (signGrant(grant, candidate).endsWith('AA')) endsInAA = candidate;
    }
    expect(endsInAA).not.toBeNull();
    const token = signGrant(grant, endsInAA!);
    expect(openGrant(token, endsInAA!, 0)).toEqual(grant);
    expect(openGrant(changeEnd(token), endsInAA!, 0)).toBeNull();
  });
});
