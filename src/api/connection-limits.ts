/**
 * Bounds on what a client may hold of the HTTP server: the time to send a request's headers and
 * its whole body (HOOKD_HTTP_HEADERS_TIMEOUT, HOOKD_HTTP_REQUEST_TIMEOUT), an idle keep-alive
 * connection (HOOKD_HTTP_KEEP_ALIVE_TIMEOUT), and open connections (HOOKD_MAX_CONNECTIONS).
 * Fastify's defaults set no request timeout: a client that declared `Content-Length: 100000`
 * and sent a byte every 15 s held its connection, its descriptor and its buffered body for as
 * long as it liked, and with a 600-descriptor limit 620 of them made /health fail.
 * docs/security.md ("Slow clients") states the rules.
 */
import type { ServerOptions } from 'node:http';
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config/config.js';
import type { App } from './deps.js';

/**
 * ms between Node's sweeps for requests past their timeout (its default is 30 s, which would let
 * a 1 s timeout hold for 31 s). A sweep walks the connections still receiving a request: cheap.
 */
export const TIMEOUT_SWEEP_INTERVAL = 1_000;

type TimeoutConfig = Pick<Config, 'httpRequestTimeout' | 'httpHeadersTimeout' | 'httpKeepAliveTimeout'>;

/**
 * The options Fastify hands to http.createServer. Node applies the request timeout to a
 * request until it is fully received, never to the time its answer takes, and never to a socket
 * once it is upgraded: a `hookd listen` WebSocket is not cut (test/slow-clients.test.ts).
 */
export function serverTimeouts(config: TimeoutConfig): Pick<FastifyServerOptions, 'requestTimeout' | 'keepAliveTimeout'> & { http: ServerOptions } {
  return {
    requestTimeout: config.httpRequestTimeout,
    keepAliveTimeout: config.httpKeepAliveTimeout,
    http: { requestTimeout: config.httpRequestTimeout, headersTimeout: config.httpHeadersTimeout, connectionsCheckingInterval: TIMEOUT_SWEEP_INTERVAL },
  };
}

/**
 * The connection cap and the close after an early answer. `onDrop` counts connections the cap
 * refused (Node accepts and closes them at once, before a byte is read).
 */
export function registerConnectionLimits(app: App, config: Pick<Config, 'maxConnections'>, onDrop: () => void): void {
  // Every socket the server accepted counts until it closes, upgraded WebSockets included.
  app.server.maxConnections = config.maxConnections;
  app.server.on('drop', onDrop);
  // An answer sent before the body has all arrived (a 401 from onRequest, a 413 on the declared
  // length, a 415): left open, Node would read the rest of the body into nothing and keep the
  // connection for the next request, so a client could hold it by trickling bytes it was told
  // are refused.
  app.addHook('onSend', async (request, reply) => {
    const { complete, headers } = request.raw;
    // HTTP/1.1: without either header a request has no body (RFC 9112 §6.3).
    if (complete || (headers['content-length'] === undefined && headers['transfer-encoding'] === undefined)) return;
    // Node hands the headers to the app and runs its promises before it parses the rest of the
    // same read: a body that came with its headers may not be complete yet when a quick answer
    // is ready, and is one turn of the event loop later.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (!request.raw.complete) reply.header('Connection', 'close');
  });
}
