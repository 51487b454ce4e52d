/**
 * The process's logger (pino, through Fastify): JSON lines, one per event, with the request id
 * (`reqId`, the same `req_…` as the X-Request-Id header) on every line a request writes, and
 * secrets censored before a line is written (LOG_REDACT). On a terminal, or with
 * HOOKD_LOG_FORMAT=pretty, the same lines are rewritten for people by pretty-log.ts.
 */
import type { FastifyServerOptions } from 'fastify';
import type { Config } from './config.js';
import { LOG_REDACT } from './api/index.js';
import { createPrettyStream } from './server/pretty-log.js';

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
