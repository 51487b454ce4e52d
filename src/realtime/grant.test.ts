import { randomBytes } from 'node:crypto';
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
    // This key signs the grant with a signature ending in AA; a random key does once in 1,024 runs.
    const endsInAA = Buffer.from('74838961d6a176c7a23e0ced04fff1afb1df6cbe8cc8e094f1029ad244e0331b', 'hex');
    const token = signGrant(grant, endsInAA);
    expect(token.endsWith('AA')).toBe(true);
    expect(openGrant(changeEnd(token), endsInAA, 0)).toBeNull();
  });
});
