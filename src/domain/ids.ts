import { randomBytes, randomFillSync, randomInt } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export type IdPrefix = 'wksp' | 'we' | 'evt' | 'wh' | 'wha' | 'req';

/** 8 base62 characters of milliseconds last until the year 8888; then 16 random ones. */
const TIME_CHARS = 8;
const RANDOM_CHARS = 16;
export const ID_BODY_LENGTH = TIME_CHARS + RANDOM_CHARS;

/**
 * Random bytes drawn from a pool refilled 4 KiB at a time. Every delivery and attempt needs an
 * id and an etag, and one `randomBytes()` call per id was 8 % of hookd's CPU at 3,000
 * deliveries/s (a native call and a new Buffer each time); from the pool, one call serves
 * ~100 ids. The bytes are the same CSPRNG's (Node's randomUUID caches the same way).
 */
const pool = Buffer.alloc(4096);
let poolAt = pool.length;

function randomByte(): number {
  if (poolAt === pool.length) {
    randomFillSync(pool);
    poolAt = 0;
  }
  return pool[poolAt++]!;
}

export function randomBase62(length: number): string {
  // Rejection sampling: 62 does not divide 256, so bytes >= 248 would bias the low characters.
  let out = '';
  while (out.length < length) {
    const b = randomByte();
    if (b < 248) out += BASE62[b % 62];
  }
  return out;
}

function encodeTime(ms: number): string {
  let n = Math.max(0, Math.floor(ms));
  let s = '';
  for (let i = 0; i < TIME_CHARS; i++) {
    s = BASE62[n % 62] + s;
    n = Math.floor(n / 62);
  }
  return s;
}

/** `<prefix>_<24 chars>`, sortable by creation time (to the millisecond) as plain strings. */
export function newId(prefix: IdPrefix, nowMs: number = Date.now()): string {
  return `${prefix}_${encodeTime(nowMs)}${randomBase62(RANDOM_CHARS)}`;
}

export function isId(value: string, prefix: IdPrefix): boolean {
  return value.length === prefix.length + 1 + ID_BODY_LENGTH
    && value.startsWith(`${prefix}_`)
    && /^[0-9A-Za-z]+$/.test(value.slice(prefix.length + 1));
}

export type KeyMode = 'test' | 'live';

/** Workspace secret keys: `fskt_`/`fskl_` + 40 base62 (no `-`, so a double-click selects it all). */
export function newWorkspaceKey(mode: KeyMode): string {
  return `${mode === 'live' ? 'fskl' : 'fskt'}_${randomBase62(40)}`;
}

export function newPlatformKey(): string {
  return `hkp_${randomBase62(40)}`;
}

/** `fwhs_` + base64 of 32 random bytes (docs/delivery.md); the Standard Webhooks key is those bytes. */
export function newWebhookSecret(): string {
  return `fwhs_${randomBytes(32).toString('base64')}`;
}

export function randomToken(length = 16): string {
  return randomBase62(length);
}

export { randomInt };
