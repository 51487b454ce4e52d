/** How auth tells portal session tokens from the platform key (both are neither fskt_ nor fskl_). */
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import type { Store } from '../../store/types.js';
import { signPortalToken } from './portal-session.js';
import { createAuth, hashKey, type Principal } from './auth.js';
import { createRateLimiter } from './rate-limit.js';

const portalKey = randomBytes(32);
const now = 1_000_000;

function authWith(adminKey: string) {
  // Neither path reads the store: a store that throws proves it.
  const store = new Proxy({}, { get: () => { throw new Error('the store was read'); } }) as Store;
  return createAuth({
    store, clock: { now: () => now }, platformKeyHash: hashKey(adminKey), portalKey,
    limits: { workspace: createRateLimiter({ rate: 100, burst: 100 }, () => now), platform: null },
  });
}

async function principalOf(auth: ReturnType<typeof authWith>, key: string): Promise<Principal | undefined> {
  const request = { headers: { authorization: `Bearer ${key}` } } as FastifyRequest;
  await auth.anyKey(request);
  return request.principal;
}

describe('portal session tokens in auth', () => {
  it('act for their workspace and mode, marked as a portal session that ends when they expire', async () => {
    const token = signPortalToken({ workspace: 'wksp_a', live: true, expires: now + 1 }, portalKey);
    expect(await principalOf(authWith('x'.repeat(40)), token)).toEqual({ kind: 'workspace', workspace: 'wksp_a', live: true, portal: true, expires: now + 1 });
  });

  it('are refused once expired, or signed with another key', async () => {
    const auth = authWith('x'.repeat(40));
    await expect(principalOf(auth, signPortalToken({ workspace: 'wksp_a', live: false, expires: now }, portalKey))).rejects.toThrow('Invalid API key');
    await expect(principalOf(auth, signPortalToken({ workspace: 'wksp_a', live: false, expires: now + 1 }, randomBytes(32)))).rejects.toThrow('Invalid API key');
  });

  it('do not shadow a chosen platform key that starts with hkps_', async () => {
    const admin = 'hkps_my_own_platform_key_0123456789abcdef';
    expect(await principalOf(authWith(admin), admin)).toEqual({ kind: 'platform' });
  });
});
