/**
 * The process's logger (pino, through Fastify): JSON lines, one per event, with the request id
 * (`reqId`, the same `req_…` as the X-Request-Id header) on every line a request writes, and
 * secrets censored before a line is written (LOG_REDACT). On a terminal, or with
 * HOOKD_LOG_FORMAT=pretty, the same lines are rewritten for people by pretty-log.ts.
 */
import type { FastifyServerOptions } from 'fastify';
import type { Config } from '../config/config.js';
import { createPrettyStream } from './pretty-log.js';

/**
 * Secrets that must never reach a log line (docs/security.md): keys in headers, and any field named
 * like a secret at the top of a logged object or up to two levels down (an endpoint logged as
 * `{endpoint}`, a result as `{result: {endpoint}}`). test/logs.test.ts holds it to that.
 */
export const LOG_REDACT = [
  'req.headers.authorization', 'req.headers["x-idempotency-key"]', 'req.headers.cookie', 'res.headers["set-cookie"]',
  'secret', 'token', 'keys', 'previousSecrets', 'adminKey', 'encryptionKey', 'previousEncryptionKeys',
  '*.secret', '*.token', '*.keys', '*.previousSecrets', '*.adminKey', '*.encryptionKey', '*.previousEncryptionKeys',
  '*.*.secret', '*.*.token', '*.*.keys', '*.*.previousSecrets',
  // An Endpoint's Ed25519 private keys (docs/delivery.md, "Signatures").
  'signingKey', 'previousSigningKeys', '*.signingKey', '*.previousSigningKeys', '*.*.signingKey', '*.*.previousSigningKeys',
];

export type LogStream = NodeJS.WritableStream & { isTTY?: boolean };

export function isPretty(config: Pick<Config, 'logFormat'>, stream: LogStream): boolean {
  return config.logFormat === 'pretty' || (config.logFormat === 'auto' && stream.isTTY === true);
}

export function loggerOptions(config: Pick<Config, 'logLevel' | 'logFormat'>, stream: LogStream): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    redact: { paths: LOG_REDACT, censor: '[redacted]' },
    stream: isPretty(config, stream) ? createPrettyStream(stream, { color: stream.isTTY === true }) : stream,
  };
}
