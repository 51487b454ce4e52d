/**
 * node:http: a request listener that reads the raw body, verifies it, and calls your handler with
 * the event. Typed structurally (no import of node:http), so the package needs no @types/node.
 *
 *   http.createServer(createNodeHandler({ secret }, async (event) => { … })).listen(3000);
 */
import { constructEvent, type ConstructEventOptions, type SecretOrPublicKeys, type WebhookEvent } from '../construct.js';
import { concatBytes, utf8 } from '../encoding.js';
import { isWebhookVerificationError } from '../errors.js';
import type { HeadersInput } from '../headers.js';

/** What the adapters need of an incoming request: Node's IncomingMessage fits. */
export interface NodeRequestLike {
  headers: Readonly<Record<string, string | readonly string[] | undefined>>;
  /** A body a framework already read (a Buffer or string is used as the raw body). */
  body?: unknown;
  readableEnded?: boolean;
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
}

/** What the adapters need of a response: Node's ServerResponse fits. */
export interface NodeResponseLike {
  statusCode: number;
  readonly headersSent: boolean;
  readonly writableEnded?: boolean;
  setHeader(name: string, value: string): unknown;
  end(chunk?: string): unknown;
}

export interface AdapterOptions extends ConstructEventOptions {
  /** The endpoint's signing secret (fwhs_…), or for an Ed25519 endpoint its public key (whpk_…, or several during a key roll). */
  secret: SecretOrPublicKeys;
  /** The largest body read, in bytes; a larger one is answered 413. Default 1 MiB. */
  maxBodyBytes?: number;
}

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes (maxBodyBytes).`);
  }
}

/** Reads the whole request body as bytes (strings are UTF-8 encoded), up to `limit` bytes. */
export async function readRawBody(req: NodeRequestLike, limit = DEFAULT_MAX_BODY_BYTES): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<unknown>) {
    const bytes = typeof chunk === 'string' ? utf8(chunk) : chunk instanceof Uint8Array ? chunk : null;
    if (!bytes) throw new TypeError('the request stream yielded something other than bytes or strings');
    size += bytes.length;
    if (size > limit) throw new BodyTooLargeError(limit);
    chunks.push(bytes);
  }
  return chunks.length === 1 ? (chunks[0] as Uint8Array) : concatBytes(...chunks);
}

/** A body that a framework already read as bytes or text, if any. */
export function preReadBody(req: NodeRequestLike): Uint8Array | string | undefined {
  const body = req.body;
  if (typeof body === 'string' || body instanceof Uint8Array) return body;
  return undefined;
}

/** The adapters' answer to a failed verification: `{"error": {"code", "message"}}`. */
export function errorBody(code: string, message: string): string {
  return JSON.stringify({ error: { code, message } });
}

export function sendJson(res: NodeResponseLike, status: number, body: string): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end();
    return;
  }
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.end(body);
}

export type NodeWebhookHandler<Req, Res> = (event: WebhookEvent, req: Req, res: Res) => unknown;

export interface NodeHandlerOptions extends AdapterOptions {
  /** Called with an error the handler threw (the request is answered 500). Default console.error. */
  onError?: (err: unknown) => void;
}

/**
 * A node:http request listener. A verified request calls `handler(event, req, res)`; if the
 * handler (awaited) has not answered, the listener answers 200 `{"received":true}`. A request
 * that fails verification is answered 400 `{"error":{"code","message"}}` without calling the
 * handler; a body over `maxBodyBytes` 413; a handler that throws 500 (hookd then retries).
 */
export function createNodeHandler<Req extends NodeRequestLike = NodeRequestLike, Res extends NodeResponseLike = NodeResponseLike>(
  options: NodeHandlerOptions,
  handler: NodeWebhookHandler<Req, Res>,
): (req: Req, res: Res) => Promise<void> {
  const { secret, maxBodyBytes, onError = (err: unknown) => console.error('@hookd/verify: the webhook handler failed:', err), ...verifyOptions } = options;
  return async (req, res) => {
    let event: WebhookEvent;
    try {
      const body = preReadBody(req) ?? await readRawBody(req, maxBodyBytes);
      event = await constructEvent(body, req.headers as HeadersInput, secret, verifyOptions);
    } catch (err) {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, errorBody('body_too_large', err.message));
      if (isWebhookVerificationError(err)) {
        // A request error is the sender's (400); a configuration error is this server's (500).
        return sendJson(res, err.isRequestError ? 400 : 500, errorBody(err.code, err.message));
      }
      onError(err);
      return sendJson(res, 400, errorBody('bad_request', 'The request body could not be read.'));
    }
    try {
      await handler(event, req, res);
    } catch (err) {
      onError(err);
      return sendJson(res, 500, errorBody('handler_error', 'The webhook handler failed.'));
    }
    if (!res.headersSent) sendJson(res, 200, '{"received":true}');
  };
}
