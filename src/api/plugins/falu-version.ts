/**
 * `X-Falu-Version`, which every Falu SDK sends (2022-05-01 from Java and older Python releases,
 * 2022-09-01 from .NET and newer Python ones): the API version the client was written for.
 * hookd serves one version of the webhooks API, whose objects and routes are the same for
 * every version these SDKs name, so any date is accepted and answered the same way. A value
 * that is not a date is a 400 naming the header, so a typo shows (docs/api.md).
 */
import type { FastifyInstance } from 'fastify';
import { HookdError } from '../../domain/errors.js';
import { parseTimestamp } from './pagination.js';

const VERSION = /^\d{4}-\d{2}-\d{2}$/;

/** True when `value` is an API version: a calendar date, YYYY-MM-DD. */
export function isFaluVersion(value: string): boolean {
  return VERSION.test(value) && parseTimestamp(value) !== undefined;
}

export function registerFaluVersion(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    const raw = request.headers['x-falu-version'];
    if (raw === undefined) return;
    if (Array.isArray(raw) || !isFaluVersion(raw.trim())) {
      throw HookdError.validation({ 'X-Falu-Version': ['must be an API version date, such as 2022-09-01, sent once'] });
    }
  });
}
