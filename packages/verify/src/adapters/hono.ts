/**
 * Hono middleware, for every runtime Hono runs on (Node, Deno, Bun, Cloudflare Workers…). It
 * reads the raw body with `c.req.arrayBuffer()` (Hono keeps it, so a later `c.req.json()`
 * still works), verifies it, and sets the event as `c.get('webhookEvent')`; a failed
 * verification is answered 400 `{"error":{"code","message"}}`.
 *
 *   const app = new Hono<{ Variables: HonoWebhookVariables }>();
 *   app.post('/webhooks', honoWebhook({ secret }), (c) => { const event = c.get('webhookEvent'); … });
 *
 * Typed structurally: nothing from hono is imported, at run time or for types.
 */
import { constructEvent, type ConstructEventOptions, type SecretOrPublicKeys, type WebhookEvent } from '../construct.js';
import { isWebhookVerificationError } from '../errors.js';
import type { HeadersLike } from '../headers.js';
import { errorBody } from './node.js';

/** Declare these as your app's Variables to type `c.get('webhookEvent')`. */
export interface HonoWebhookVariables {
  webhookEvent: WebhookEvent;
}

/** What the middleware needs of Hono's Context. */
export interface HonoContextLike {
  req: {
    raw: { headers: HeadersLike };
    arrayBuffer(): Promise<ArrayBuffer>;
  };
  set: (...args: never[]) => unknown;
}

export interface HonoWebhookOptions extends ConstructEventOptions {
  /** The endpoint's signing secret (fwhs_…), or for an Ed25519 endpoint its public key (whpk_…, or several during a key roll). */
  secret: SecretOrPublicKeys;
}

export function honoWebhook(options: HonoWebhookOptions): (c: HonoContextLike, next: () => Promise<void>) => Promise<Response | undefined> {
  const { secret, ...verifyOptions } = options;
  return async (c, next) => {
    let event: WebhookEvent;
    try {
      event = await constructEvent(await c.req.arrayBuffer(), c.req.raw.headers, secret, verifyOptions);
    } catch (err) {
      if (isWebhookVerificationError(err) && err.isRequestError) {
        return new Response(errorBody(err.code, err.message), { status: 400, headers: { 'content-type': 'application/json; charset=utf-8' } });
      }
      throw err; // the receiving server's own mistake: Hono's onError answers 500
    }
    const set = c.set as (key: string, value: unknown) => void;
    set.call(c, 'webhookEvent', event);
    await next();
    return undefined;
  };
}
