/**
 * A Fastify (4 and 5) plugin that owns the webhook route. Inside its own encapsulated scope it
 * replaces the JSON parser (and adds a catch-all) with `parseAs: 'buffer'`, so the raw bytes
 * reach the verifier while every other route of the app keeps Fastify's JSON parsing.
 *
 *   await app.register(fastifyWebhook, { secret, path: '/webhooks', handler: async (event) => { … } });
 *
 * A verified request calls `handler(event, request, reply)`: what it returns is sent (200
 * `{"received":true}` when it returns nothing and has not replied); a failed verification is
 * answered 400 `{"error":{"code","message"}}`. Typed structurally: nothing from fastify is
 * imported, at run time or for types.
 */
import { constructEvent, type WebhookEvent } from '../construct.js';
import type { RawBody } from '../encoding.js';
import { isWebhookVerificationError } from '../errors.js';
import type { HeadersInput } from '../headers.js';
import { DEFAULT_MAX_BODY_BYTES, errorBody, type AdapterOptions } from './node.js';

export interface FastifyRequestLike {
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  body?: unknown;
}

export interface FastifyReplyLike {
  code(statusCode: number): FastifyReplyLike;
  header(name: string, value: string): FastifyReplyLike;
  send(payload?: unknown): FastifyReplyLike;
  readonly sent: boolean;
}

export type FastifyWebhookOptions = AdapterOptions & {
  /** The route's path within the scope the plugin is registered in (so `prefix` applies). Default '/'. */
  path?: string;
  /** Called with each verified event. Annotate `request`/`reply` as FastifyRequest/FastifyReply if you like. */
  handler(event: WebhookEvent, request: FastifyRequestLike, reply: FastifyReplyLike): unknown;
};

/** Any Fastify instance fits: only these methods are used. */
export interface FastifyInstanceLike {
  addContentTypeParser: (...args: never[]) => unknown;
  hasContentTypeParser: (...args: never[]) => unknown;
  removeContentTypeParser: (...args: never[]) => unknown;
  post: (...args: never[]) => unknown;
}

interface FastifyScope {
  addContentTypeParser(
    contentType: string,
    options: { parseAs: 'buffer'; bodyLimit: number },
    parser: (request: unknown, body: Uint8Array, done: (err: Error | null, body?: unknown) => void) => void,
  ): void;
  hasContentTypeParser(contentType: string): boolean;
  removeContentTypeParser(contentType: string): void;
  post(path: string, handler: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

function plugin(instance: FastifyInstanceLike, options: FastifyWebhookOptions, done: (err?: Error) => void): void {
  try {
    const { secret, maxBodyBytes = DEFAULT_MAX_BODY_BYTES, path = '/', handler, ...verifyOptions } = options;
    if (typeof handler !== 'function') throw new TypeError('fastifyWebhook: options.handler must be a function');
    const scope = instance as unknown as FastifyScope;
    for (const contentType of ['application/json', '*']) {
      if (scope.hasContentTypeParser(contentType)) scope.removeContentTypeParser(contentType);
      scope.addContentTypeParser(contentType, { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_request, body, next) => next(null, body));
    }
    scope.post(path, async (request, reply) => {
      let event: WebhookEvent;
      try {
        event = await constructEvent((request.body ?? new Uint8Array(0)) as RawBody, request.headers as HeadersInput, secret, verifyOptions);
      } catch (err) {
        if (isWebhookVerificationError(err) && err.isRequestError) {
          return reply.code(400).header('content-type', 'application/json; charset=utf-8').send(errorBody(err.code, err.message));
        }
        throw err; // the receiving server's own mistake: Fastify answers 500
      }
      const result = await handler(event, request, reply);
      if (reply.sent) return reply;
      return result === undefined ? { received: true } : result;
    });
    done();
  } catch (err) {
    done(err instanceof Error ? err : new Error(String(err)));
  }
}

/**
 * The plugin. Register it once per webhook route; each registration is its own encapsulated
 * scope, so its raw-body parser applies to its route only.
 */
export const fastifyWebhook = Object.assign(plugin, {
  [Symbol.for('fastify.display-name')]: '@hookd/verify',
});
