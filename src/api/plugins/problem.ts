/**
 * The one place where failures become HTTP answers: every error (ours, Fastify's, a driver's)
 * is normalised to a HookdError and written as application/problem+json (RFC 9457). Nothing
 * else in api/ sets an error status, and no stack trace ever leaves the process.
 */
import { maxHeaderSize, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HookdError, type ErrorCode, type FieldErrors } from '../../domain/errors.js';
import { newId } from '../../domain/ids.js';

/**
 * Readable rules for the patterns of api/schemas.ts, by pattern: a validation problem names the
 * rule a field breaks instead of showing the raw regular expression.
 */
const PATTERN_RULES = new Map<string, string>();

/** Registers `rule` as what a failed match of `pattern` tells the client; returns the pattern, for a schema. */
export function ruled(pattern: string, rule: string): string {
  PATTERN_RULES.set(pattern, rule);
  return pattern;
}

/** The keyword a union's rule is kept in (ruledUnion); `x-` so the OpenAPI document may show it. */
const UNION_RULE = 'x-rule';

/**
 * Gives a union (a nullable number, say) one rule in words: a value that fits none of its
 * forms is told `rule` alone, instead of one branch's complaint ("must be >= 1") and "is not
 * any of the accepted forms". Read from the failed union's schema (Ajv's `verbose` errors).
 */
export function ruledUnion<T extends object>(union: T, rule: string): T {
  return Object.assign(union, { [UNION_RULE]: rule });
}

const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  not_acceptable: 406,
  conflict: 409,
  idempotency_conflict: 409,
  precondition_failed: 412,
  payload_too_large: 413,
  headers_too_large: 431,
  request_timeout: 408,
  unsupported_media_type: 415,
  unprocessable: 422,
  rate_limited: 429,
  internal: 500,
  config_invalid: 500,
  store_unavailable: 503,
  not_ready: 503,
};

export function statusOf(code: ErrorCode): number {
  return STATUS[code];
}

interface AjvError {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
  /** The failed keyword's schema object: set because the route validators are `verbose` (api/schema-compilers.ts). */
  parentSchema?: Record<string, unknown>;
}

/** `{"/data/object": …}` → `data.object`; a missing or unknown property is named itself. */
function fieldOf(e: AjvError, part: string | undefined): string {
  const path = e.instancePath.replace(/^\//, '').split('/').filter(Boolean).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (e.keyword === 'required') path.push(String(e.params.missingProperty));
  if (e.keyword === 'additionalProperties') path.push(String(e.params.additionalProperty));
  const name = path.join('.');
  if (name) return name;
  return part === 'body' ? 'body' : part ?? 'request';
}

function ruleOf(e: AjvError): string {
  switch (e.keyword) {
    case 'required': return 'is required';
    case 'additionalProperties': return 'is not a known field';
    case 'pattern': return PATTERN_RULES.get(String(e.params.pattern)) ?? `must match ${String(e.params.pattern)}`;
    case 'enum': return `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    case 'const': return `must be ${JSON.stringify(e.params.allowedValue)}`;
    case 'anyOf': return 'is not any of the accepted forms';
    default: return (e.message ?? 'is invalid').replace('must NOT', 'must not');
  }
}

export function validationErrors(error: FastifyError): HookdError {
  // Field names come from the request (an unknown query parameter or body field is named as
  // itself): on a plain object, `constructor` or `__defineGetter__` would find Object.prototype's
  // function instead of a message list, and the error handler itself would throw (a 500).
  const errors: FieldErrors = Object.create(null) as FieldErrors;
  const part = (error as { validationContext?: string }).validationContext;
  const list = (error.validation ?? []) as unknown as AjvError[];
  // A union reports every branch that failed; with `const` branches that is one line per literal.
  const unionPaths = new Set(list.filter((e) => e.keyword === 'anyOf').map((e) => e.instancePath));
  const unionRules = new Map(list.flatMap((e) => {
    const rule = e.keyword === 'anyOf' ? e.parentSchema?.[UNION_RULE] : undefined;
    return typeof rule === 'string' ? [[e.instancePath, rule] as const] : [];
  }));
  for (const e of list) {
    const unionRule = unionRules.get(e.instancePath);
    if (unionRule !== undefined) {
      const field = fieldOf(e, part);
      if (!(errors[field] ??= []).includes(unionRule)) errors[field].push(unionRule);
      continue;
    }
    if (e.keyword !== 'anyOf' && unionPaths.has(e.instancePath) && (e.keyword === 'const' || e.keyword === 'type')) continue;
    const field = fieldOf(e, part);
    const rule = e.keyword === 'anyOf' && list.some((x) => x.instancePath === e.instancePath && x.keyword === 'const')
      ? `must be one of: ${list.filter((x) => x.instancePath === e.instancePath && x.keyword === 'const').map((x) => String(x.params.allowedValue)).join(', ')}`
      : ruleOf(e);
    if (!(errors[field] ??= []).includes(rule)) errors[field].push(rule);
  }
  return HookdError.validation(errors);
}

/** Fastify's own 4xx errors (bad JSON, wrong content type, body too large…) in hookd's words. */
function fromFastify(error: FastifyError, request: FastifyRequest): HookdError | undefined {
  switch (error.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HookdError('payload_too_large', 'The request body is too large', {
        detail: `This route accepts at most ${request.routeOptions.bodyLimit ?? 0} bytes of body.`,
        errors: { body: [`must be at most ${request.routeOptions.bodyLimit ?? 0} bytes`] },
      });
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HookdError('unsupported_media_type', 'Unsupported content type', {
        detail: `Send application/json${request.method === 'PATCH' ? ', application/merge-patch+json or application/json-patch+json' : ''}.`,
        errors: { 'content-type': [`'${request.headers['content-type'] ?? ''}' is not accepted; use application/json`] },
      });
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return HookdError.validation({ body: ['must be a JSON document; the body is empty'] });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return HookdError.validation({ 'content-length': ['does not match the body sent'] });
    case 'FST_ERR_BAD_URL':
      return HookdError.validation({ path: ['must be valid percent-encoding'] });
    case 'FST_ERR_MAX_PARAM_LENGTH':
      // Fastify says 414; an over-long id is a malformed id, which is a 400 everywhere else.
      return HookdError.validation({ path: ['has a segment too long to be an id or a name'] });
    default:
      break;
  }
  if (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY') {
    return HookdError.validation({ body: [`must be valid JSON (${error.message.replace(/^Unexpected/, 'unexpected')})`] });
  }
  if (error.statusCode !== undefined && error.statusCode >= 400 && error.statusCode < 500) {
    return new HookdError(error.statusCode === 413 ? 'payload_too_large' : 'validation_failed', 'The request is invalid', { detail: error.message });
  }
  return undefined;
}

export function normalise(error: unknown, request: FastifyRequest): HookdError {
  if (error instanceof HookdError) return error;
  const fe = error as FastifyError;
  if (fe && Array.isArray(fe.validation)) return validationErrors(fe);
  return fromFastify(fe, request) ?? new HookdError('internal', 'Internal error', {
    detail: 'Something failed inside hookd; the request id identifies it in the logs.', cause: error,
  });
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: HookdError): FastifyReply {
  const status = statusOf(error.code);
  const body: Record<string, unknown> = {
    type: `urn:hookd:problem:${error.code}`,
    title: error.message,
    status,
    detail: error.detail,
    instance: request.url.split('?')[0],
    errors: error.errors,
    traceId: request.id,
  };
  if (status === 401) reply.header('WWW-Authenticate', `Bearer realm="hookd"${request.headers.authorization ? ', error="invalid_token"' : ''}`);
  if (error.retryAfter !== undefined) reply.header('Retry-After', String(Math.ceil(error.retryAfter)));
  return reply.code(status).type('application/problem+json').send(JSON.stringify(body));
}

/**
 * Fastify's `frameworkErrors` option: a bad percent-escape or an over-long path segment fails
 * before routing, so neither setErrorHandler nor the onRequest hook that sets X-Request-Id
 * runs, and Fastify would answer with its own application/json body.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header('X-Request-Id', request.id);
  sendProblem(request, reply, normalise(error, request));
}

/**
 * Fastify's `clientErrorHandler` option: what Node's HTTP parser refuses (an unknown method, a
 * request line and headers over its size limit, a malformed header, a request that arrives too
 * slowly) never becomes a request, so none of the above runs. Fastify's default answer is plain
 * JSON without X-Request-Id, and it closes the socket without saying `Connection: close`, so a
 * keep-alive client sends its next request into a closed socket (ECONNRESET).
 */
export function clientErrors(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const problem = error.code === 'HPE_HEADER_OVERFLOW'
    ? new HookdError('headers_too_large', 'The request line and headers are too large', {
      detail: `hookd reads at most ${maxHeaderSize} bytes of request line and headers; a long URL or header value is refused.`,
    })
    : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? new HookdError('request_timeout', 'The request did not arrive in time', { detail: 'The request line, headers and body must arrive within the server\'s request timeout.' })
      : HookdError.validation({ request: [`must be a well-formed HTTP/1.1 request (${error.code ?? 'parse error'})`] });
  const status = statusOf(problem.code);
  const id = newId('req');
  const body = JSON.stringify({
    type: `urn:hookd:problem:${problem.code}`, title: problem.message, status, detail: problem.detail, errors: problem.errors, traceId: id,
  });
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n`
      + `X-Request-Id: ${id}\r\nX-Content-Type-Options: nosniff\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

export function registerProblemHandling(app: FastifyInstance): void {
  app.setErrorHandler((error, request, reply) => {
    const problem = normalise(error, request);
    if (problem.code === 'internal' || problem.code === 'store_unavailable') {
      request.log.error({ err: problem.cause ?? error, code: problem.code }, problem.message);
    }
    return sendProblem(request, reply, problem);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new HookdError('not_found', 'Not found', { detail: `No route ${request.method} ${request.url.split('?')[0]}.` })));
}
