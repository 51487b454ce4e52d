/**
 * Express (4 and 5) middleware. It takes the raw body from express.raw() / express.text() when
 * one ran, or reads the request stream itself when none did; a body that express.json() already
 * parsed cannot be verified, and the error says so. A verified request continues with the event
 * on `req.webhookEvent` and `res.locals.webhookEvent`; a failed one is answered 400.
 *
 *   app.post('/webhooks', expressWebhook({ secret }), (req, res) => { … res.locals.webhookEvent … });
 *
 * Typed structurally: nothing from express is imported, at run time or for types.
 */
import { constructEvent, type WebhookEvent } from '../construct.js';
import { UnsupportedBodyError, isWebhookVerificationError } from '../errors.js';
import type { HeadersInput } from '../headers.js';
import {
  BodyTooLargeError, errorBody, preReadBody, readRawBody, sendJson,
  type AdapterOptions, type NodeRequestLike, type NodeResponseLike,
} from './node.js';

export interface ExpressRequestLike extends NodeRequestLike {
  webhookEvent?: WebhookEvent;
}

export interface ExpressResponseLike extends NodeResponseLike {
  locals?: Record<string, unknown>;
}

/** `req` after the middleware: `(req as WebhookRequest).webhookEvent`. */
export type WebhookRequest<Req = object> = Req & { webhookEvent: WebhookEvent };

export type ExpressWebhookOptions = AdapterOptions;

export function expressWebhook(options: ExpressWebhookOptions): (req: ExpressRequestLike, res: ExpressResponseLike, next: (err?: unknown) => void) => void {
  const { secret, maxBodyBytes, ...verifyOptions } = options;
  return (req, res, next) => {
    void (async () => {
      let body: Uint8Array | string | undefined = preReadBody(req);
      if (body === undefined) {
        // Express 4's body parsers set req.body = {} even when they leave the stream alone.
        const untouched = req.body === undefined || req.body === null || (typeof req.body === 'object' && Object.keys(req.body).length === 0);
        if (!untouched || req.readableEnded) {
          throw new UnsupportedBodyError(
            'The request body was already consumed by another body parser (express.json() or express.urlencoded()?) before expressWebhook, ' +
            'so its raw bytes cannot be verified. Mount expressWebhook before any JSON parser on the webhook route, ' +
            'or put express.raw({ type: "application/json" }) on that route.',
          );
        }
        body = await readRawBody(req, maxBodyBytes);
      }
      const event = await constructEvent(body, req.headers as HeadersInput, secret, verifyOptions);
      req.webhookEvent = event;
      if (res.locals) res.locals.webhookEvent = event;
    })().then(() => next(), (err: unknown) => {
      if (err instanceof BodyTooLargeError) return sendJson(res, 413, errorBody('body_too_large', err.message));
      if (isWebhookVerificationError(err) && err.isRequestError) return sendJson(res, 400, errorBody(err.code, err.message));
      // The receiving server's own mistake (wrong body parser, empty secret…): Express's error handling.
      next(err);
    });
  };
}
