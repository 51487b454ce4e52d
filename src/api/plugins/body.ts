/**
 * Request bodies: JSON only (and, for PATCH, merge-patch and JSON Patch media types), parsed
 * with Fastify's prototype-poisoning-safe parser, with the raw text kept for idempotency
 * fingerprints and a nesting-depth cap so that a 100 000-deep `[[[[…` cannot exhaust the stack
 * later. JSON is UTF-8 (RFC 8259): Falu's SDKs say so (`application/json; charset=utf-8`), and
 * any other charset is a 415, never text decoded as something it is not (docs/api.md).
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

/** The media types a body may have; the JSON Patch and merge-patch ones are read by PATCH routes only (endpoints/json-patch.ts). */
export const JSON_MEDIA_TYPES = ['application/json', 'application/merge-patch+json', 'application/json-patch+json'] as const;

/** The media type of a Content-Type header, lowercased, without parameters (`application/json`). */
export function mediaTypeOf(contentType: string | undefined): string | undefined {
  return contentType?.split(';')[0]?.trim().toLowerCase();
}

/**
 * The problem with a Content-Type's parameters, or null. `charset` may be absent or UTF-8 in
 * any case, quoted or not (.NET writes `charset=utf-8`); every other parameter is ignored, as
 * RFC 8259 defines none for JSON.
 */
export function charsetProblem(contentType: string): string | null {
  for (const parameter of contentType.split(';').slice(1)) {
    const at = parameter.indexOf('=');
    const name = (at < 0 ? parameter : parameter.slice(0, at)).trim().toLowerCase();
    if (name !== 'charset') continue;
    const value = at < 0 ? '' : parameter.slice(at + 1).trim().replace(/^"(.*)"$/, '$1');
    if (at < 0 || value.toLowerCase() !== 'utf-8') return `declares charset=${value || '(empty)'}; JSON is read as UTF-8 only: send charset=utf-8 or no charset`;
  }
  return null;
}

export function registerBodyParsing(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser([...JSON_MEDIA_TYPES], { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    const charset = charsetProblem(request.headers['content-type'] ?? '');
    if (charset) {
      done(new HookdError('unsupported_media_type', 'Unsupported charset', {
        detail: 'JSON bodies are UTF-8 (RFC 8259).', errors: { 'content-type': [charset] },
      }), undefined);
      return;
    }
    const media = mediaTypeOf(request.headers['content-type']);
    if (media !== 'application/json' && request.method !== 'PATCH') {
      done(new HookdError('unsupported_media_type', 'Unsupported content type', {
        detail: `${media} describes a change to an object; send it with PATCH, or send application/json.`,
        errors: { 'content-type': [`'${media}' is accepted on PATCH only; use application/json`] },
      }), undefined);
      return;
    }
    // Falu's Python SDK sends `Content-Type: application/json` and `Content-Length: 0` on a
    // DELETE, which has no body to parse: an empty body there is no body, as on Falu's server.
    if (text === '' && request.method === 'DELETE') {
      done(null, undefined);
      return;
    }
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
