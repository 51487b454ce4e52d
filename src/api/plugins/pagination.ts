/**
 * Falu list conventions (docs/api.md): `count`, `sort`, `ct`, `created.*`, `updated.*`; the body is a bare
 * array and the next page's token comes back in X-Continuation-Token. Tokens are signed (HMAC,
 * key derived from the encryption key) and bound to their list and sort, so a token hookd did
 * not issue, or one from another list, is a 400, never a silent restart from the top.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { FieldErrorList } from '../../domain/errors.js';
import type { CreatedFilter, Cursor, ListOptions, Page } from '../../domain/types.js';

export interface ListQueryInput {
  count?: number;
  sort?: 'asc' | 'desc';
  ct?: string;
  'created.eq'?: string;
  'created.lt'?: string;
  'created.lte'?: string;
  'created.gt'?: string;
  'created.gte'?: string;
  'updated.eq'?: string;
  'updated.lt'?: string;
  'updated.lte'?: string;
  'updated.gt'?: string;
  'updated.gte'?: string;
}

const DATE_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** An ISO 8601 date or date-time (with zone) as Unix ms, or undefined when it is not one. */
export function parseTimestamp(text: string): number | undefined {
  if (!DATE_TIME.test(text)) return undefined;
  // Date.parse rolls a day that does not exist over (2026-02-30 becomes March 2); that is a
  // malformed date, not one to move silently. The month's length comes from setUTCFullYear:
  // Date.UTC reads years 0–99 as 1900–1999, and 1900 has no February 29 where year 0 has one.
  const lastDay = new Date(0);
  lastDay.setUTCFullYear(Number(text.slice(0, 4)), Number(text.slice(5, 7)), 0);
  if (Number(text.slice(8, 10)) > lastDay.getUTCDate()) return undefined;
  const ms = Date.parse(text.length === 10 ? `${text}T00:00:00Z` : text);
  return Number.isFinite(ms) ? ms : undefined;
}

export function createPagination(key: Buffer) {
  function sign(body: string): string {
    return createHmac('sha256', key).update(body).digest().subarray(0, 16).toString('base64url');
  }

  function encode(list: string, sort: string, cursor: Cursor): string {
    const body = Buffer.from(JSON.stringify({ l: list, s: sort, c: cursor.created, k: cursor.key })).toString('base64url');
    return `${body}.${sign(body)}`;
  }

  function decode(list: string, sort: string, token: string, errors: FieldErrorList): Cursor | undefined {
    // Exactly two parts: with `body.mac.anything` accepted, tokens hookd never issued would open.
    const [body, mac, extra] = token.split('.');
    const expected = Buffer.from(body ? sign(body) : '');
    // Compare byte lengths, not string lengths: a MAC of 22 non-ASCII characters is longer in
    // bytes, and timingSafeEqual throws (a 500) on buffers of different lengths.
    const given = Buffer.from(mac ?? '');
    if (!body || !mac || extra !== undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      errors.add('ct', 'is not a continuation token that hookd issued; use the X-Continuation-Token of the previous page');
      return undefined;
    }
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { l: string; s: string; c: number; k: string };
    if (parsed.l !== list) {
      errors.add('ct', 'was issued for another list');
      return undefined;
    }
    if (parsed.s !== sort) {
      errors.add('ct', `was issued for sort=${parsed.s}; send the same sort with it`);
      return undefined;
    }
    return { created: parsed.c, key: parsed.k };
  }

  /** Reads the shared list query; every problem is reported as one 400. */
  function parse(list: string, query: ListQueryInput): ListOptions {
    const errors = new FieldErrorList();
    const sort = query.sort ?? 'desc';
    const range = (field: 'created' | 'updated'): CreatedFilter | undefined => {
      const filter: CreatedFilter = {};
      for (const op of ['eq', 'lt', 'lte', 'gt', 'gte'] as const) {
        const raw = query[`${field}.${op}`];
        if (raw === undefined) continue;
        const ms = parseTimestamp(raw);
        if (ms === undefined) errors.add(`${field}.${op}`, 'must be an ISO 8601 date or date-time, such as 2026-01-31 or 2026-01-31T12:00:00Z');
        else filter[op] = ms;
      }
      return Object.keys(filter).length > 0 ? filter : undefined;
    };
    const created = range('created');
    const updated = range('updated');
    const after = query.ct === undefined ? undefined : decode(list, sort, query.ct, errors);
    errors.throwIfAny();
    return { limit: query.count ?? 10, sort, after, created, updated };
  }

  function send<T>(reply: FastifyReply, list: string, options: ListOptions, page: Page<unknown>, items: T[]): T[] {
    if (page.next) reply.header('X-Continuation-Token', encode(list, options.sort, page.next));
    return items;
  }

  return { parse, send, encode };
}

export type Pagination = ReturnType<typeof createPagination>;

/**
 * preValidation for a repeatable list filter (`type`) that also takes its values joined by
 * commas, as Falu's Java SDK sends them (`type=a.b,c.d`; its .NET SDK repeats the parameter).
 * The names it filters on never hold a comma, so splitting cannot change what one means.
 */
export function commaSeparated(name: string) {
  return async (request: FastifyRequest): Promise<void> => {
    const query = request.query as Record<string, unknown>;
    const value = query[name];
    if (value === undefined) return;
    const values = (Array.isArray(value) ? value : [value]).flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]));
    query[name] = values;
  };
}
