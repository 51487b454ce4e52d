/**
 * Checks real answers against the OpenAPI document a hookd served (test/openapi-conformance.test.ts):
 * the operation is found by method and path in the SERVED document, never in the route schemas in
 * memory; the status must be declared for it, the content type must be the declared one, and the
 * body must satisfy the declared schema, resolved from the document's own components with Ajv's
 * JSON Schema 2020-12 (OpenAPI 3.1's dialect). Objects are checked closed: a member the schema
 * does not declare is a mismatch too, since a generated client's model would drop it.
 */
import { connect } from 'node:net';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { fullFormats } from 'ajv-formats/dist/formats.js';

export interface Answer {
  status: number;
  /** The Content-Type header, or '' */
  contentType: string;
  /** Whether the answer carries a header (any case). */
  has: (header: string) => boolean;
  body: string;
}

interface ResponseObject {
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: unknown }>;
}

interface OperationObject {
  operationId?: string;
  responses?: Record<string, ResponseObject>;
}

export interface ServedDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, unknown> };
}

interface Route {
  method: string;
  template: string;
  operationId: string;
  pattern: RegExp;
  params: number;
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

/** Declared headers an answer may lack, as their descriptions say: no next page; a reused idempotency key whose first request has ended. */
const SOMETIMES = new Set(['X-Continuation-Token', '409 Retry-After']);
const DOCUMENT_ID = 'https://hookd.invalid/openapi.json';

/** A JSON Pointer segment (RFC 6901). */
const pointer = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');

/** A copy of the document in which every object schema with `properties` and no `additionalProperties` is closed. */
function closed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(closed);
  if (value === null || typeof value !== 'object') return value;
  const out = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, closed(v)]));
  if (out.type === 'object' && out.properties && typeof out.properties === 'object' && !('additionalProperties' in out)) out.additionalProperties = false;
  return out;
}

export function createChecker(document: ServedDocument) {
  const routes: Route[] = [];
  for (const [template, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const source = template.split(/\{[^}]+\}/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('[^/]+');
      routes.push({ method: method.toUpperCase(), template, operationId: op.operationId ?? `${method.toUpperCase()} ${template}`, pattern: new RegExp(`^${source}$`), params: (template.match(/\{/g) ?? []).length });
    }
  }

  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  for (const [name, format] of Object.entries(fullFormats)) if (format !== true) ajv.addFormat(name, format);
  ajv.addSchema(closed(document) as object, DOCUMENT_ID);
  const validators = new Map<string, ValidateFunction>();

  /** operationId → statuses answered */
  const hits = new Map<string, Set<number>>();
  /** `operationId status` → what the session meant to get */
  const meant = new Set<string>();
  const mismatches: string[] = [];

  /** The operation of a request as the document routes it: a literal segment beats a parameter, as in Fastify. */
  function route(method: string, url: string): Route | undefined {
    const path = url.split('?')[0]!;
    return routes.filter((r) => r.method === method && r.pattern.test(path)).sort((a, b) => a.params - b.params)[0];
  }

  function bodyMismatch(r: Route, status: number, media: string, body: string): string | undefined {
    let data: unknown;
    try {
      data = JSON.parse(body);
    } catch {
      return `the body is not JSON: ${body.slice(0, 200)}`;
    }
    const at = `#/paths/${pointer(r.template)}/${r.method.toLowerCase()}/responses/${status}/content/${pointer(media)}/schema`;
    let validate = validators.get(at);
    if (!validate) {
      validate = ajv.compile({ $ref: `${DOCUMENT_ID}${at}` });
      validators.set(at, validate);
    }
    if (validate(data)) return undefined;
    return `the body breaks the declared schema: ${ajv.errorsText(validate.errors)}; body ${body.slice(0, 300)}`;
  }

  return {
    /**
     * Checks one answer to `method url`, which the session expects to be `expected`, against the
     * document, and records it; returns the operationId the document routes it to.
     */
    check(method: string, url: string, expected: number, answer: Answer): string {
      const r = route(method, url);
      const where = `${method} ${url} → ${answer.status}`;
      if (!r) {
        mismatches.push(`${where}: no operation of the document matches`);
        return '';
      }
      meant.add(`${r.operationId} ${expected}`);
      if (answer.status !== expected) mismatches.push(`${where}: the session expected ${expected} (${r.operationId}); body ${answer.body.slice(0, 300)}`);
      (hits.get(r.operationId) ?? hits.set(r.operationId, new Set()).get(r.operationId)!).add(answer.status);
      const declared = document.paths[r.template]![r.method.toLowerCase()]!.responses?.[String(answer.status)];
      if (!declared) {
        mismatches.push(`${where}: ${r.operationId} does not declare ${answer.status}`);
        return r.operationId;
      }
      for (const header of Object.keys(declared.headers ?? {})) {
        if (!answer.has(header) && !SOMETIMES.has(header) && !SOMETIMES.has(`${answer.status} ${header}`)) mismatches.push(`${where}: no ${header} header, which ${r.operationId} declares`);
      }
      const media = answer.contentType.split(';')[0]!.trim().toLowerCase();
      const types = Object.keys(declared.content ?? {});
      if (types.length === 0) {
        if (answer.body !== '') mismatches.push(`${where}: declared without a body, answered ${answer.body.length} bytes`);
        return r.operationId;
      }
      if (!types.includes(media)) {
        mismatches.push(`${where}: content type '${answer.contentType}', declared ${types.join(' or ')}`);
        return r.operationId;
      }
      const wrong = bodyMismatch(r, answer.status, media, answer.body);
      if (wrong) mismatches.push(`${where}: ${wrong}`);
      return r.operationId;
    },
    /** Every operation of the document. */
    operations: () => routes.map(({ operationId, method, template }) => ({ operationId, method, template })),
    hits,
    meant,
    mismatches,
  };
}

/**
 * Sends `request` (a whole HTTP/1.1 request, with `Connection: close`) over a socket of its own and
 * reads the answer until the server closes it: for what fetch cannot send (headers over Node's
 * limit) or may not read (an answer that arrives while the body is still being sent).
 */
export function rawExchange(port: number, request: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(request));
    socket.on('data', (c: Buffer) => chunks.push(c));
    // The server may close while the request is still being written: what it answered is what counts.
    socket.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE' && err.code !== 'ECONNRESET') reject(err);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const end = text.indexOf('\r\n\r\n');
      const status = /^HTTP\/1\.1 (\d{3})/.exec(text)?.[1];
      if (end < 0 || status === undefined) {
        reject(new Error(`no HTTP answer: ${JSON.stringify(text.slice(0, 200))}`));
        return;
      }
      const head = text.slice(0, end).split('\r\n').slice(1).map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()] as const);
      const contentType = head.find(([name]) => name === 'content-type')?.[1] ?? '';
      resolve({ status: Number(status), contentType, has: (header) => head.some(([name]) => name === header.toLowerCase()), body: text.slice(end + 4) });
    });
  });
}
