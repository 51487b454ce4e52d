/**
 * Conditional requests (docs/api.md): every single-object answer carries an ETag; GET with a
 * matching If-None-Match is 304; PATCH/DELETE (and the other writes to one object) with a
 * stale If-Match is 412. The store then writes with compare-and-set on the same etag, so a
 * change that lands between the check and the write is a 412 too, never a lost update.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HookdError } from '../../domain/errors.js';

const quote = (etag: string) => `"${etag}"`;

function listed(header: string, etag: string): boolean {
  return header.split(',').map((s) => s.trim().replace(/^W\//, '')).some((t) => t === '*' || t === quote(etag));
}

/** Sets ETag; true when the client's copy is current and the answer should be 304. */
export function notModified(request: FastifyRequest, reply: FastifyReply, etag: string): boolean {
  reply.header('ETag', quote(etag));
  const header = request.headers['if-none-match'];
  return request.method === 'GET' && typeof header === 'string' && listed(header, etag);
}

/** Throws 412 when If-Match is present and does not name the current etag; returns the etag it asked for. */
export function checkIfMatch(request: FastifyRequest, currentEtag: string): string | undefined {
  const header = request.headers['if-match'];
  if (typeof header !== 'string') return undefined;
  if (!listed(header, currentEtag)) {
    throw new HookdError('precondition_failed', 'The object has changed', {
      detail: `If-Match ${header} does not match the current ETag "${currentEtag}". Fetch the object again and retry.`,
      errors: { 'If-Match': ['does not match the current ETag'] },
    });
  }
  return currentEtag;
}

export function preconditionFailed(): HookdError {
  return new HookdError('precondition_failed', 'The object has changed', {
    detail: 'Another request changed the object after If-Match was checked. Fetch it again and retry.',
    errors: { 'If-Match': ['does not match the current ETag'] },
  });
}

/** Sends one object with its ETag, or 304. */
export function sendObject<T>(request: FastifyRequest, reply: FastifyReply, etag: string, body: T, status = 200): T | FastifyReply {
  if (notModified(request, reply, etag)) return reply.code(304).send();
  return reply.code(status).send(body);
}
