/**
 * Request bodies: JSON (and merge-patch JSON for PATCH) only, parsed with Fastify's
 * prototype-poisoning-safe parser, with the raw text kept for idempotency fingerprints and a
 * nesting-depth cap so that a 100 000-deep `[[[[…` cannot exhaust the stack later.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { HookdError } from '../../domain/errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

export const MAX_JSON_DEPTH = 32;

/** Depth of the deepest array/object, counted without parsing (strings are skipped). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92) i++; // backslash: skip the escaped character
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

export function registerBodyParsing(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(['application/json', 'application/merge-patch+json'], { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    request.rawBody = text;
    if (jsonDepth(text) > MAX_JSON_DEPTH) {
      done(HookdError.validation({ body: [`must not nest objects and arrays deeper than ${MAX_JSON_DEPTH} levels`] }), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

/**
 * preValidation for routes whose body is optional: Fastify validates an absent body as
 * `undefined`, which no object schema accepts, so a bare POST (roll now, redact, test) would
 * be a 400. Only an absent body becomes `{}`: a JSON `null` is not an object and stays a 400.
 */
export async function absentBodyIsEmpty(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}
