/**
 * The served OpenAPI document is fit for a client generator (docs/api.md, "The OpenAPI
 * document"): every operation has a unique camelCase operationId, every tag a description,
 * every error answer is declared as the problem+json hookd sends, and `servers` names where the
 * API is: HOOKD_PUBLIC_URL, else the origin the request reached. On SQLite only: the document
 * does not depend on the store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHookd, type TestHookd } from './helpers.js';

interface Answer {
  description?: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: { $ref?: string } }>;
}
interface Operation {
  operationId?: string;
  tags?: string[];
  requestBody?: unknown;
  parameters?: { in: string; name: string }[];
  responses: Record<string, Answer>;
}
interface Document {
  servers?: { url: string }[];
  info: { license?: { name: string; identifier?: string }; contact?: object };
  tags?: { name: string; description?: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
}

const METHODS = ['get', 'put', 'post', 'patch', 'delete'];

function operationsOf(doc: Document): { key: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => METHODS.filter((m) => item[m]).map((m) => ({ key: `${m.toUpperCase()} ${path}`, method: m, op: item[m]! })));
}

describe('the document', () => {
  let h: TestHookd;
  let doc: Document;
  beforeAll(async () => {
    h = await startHookd();
    doc = (await h.call('GET', '/openapi.json', { key: null })).json() as Document;
  });
  afterAll(async () => h.close());

  it('declares the request headers each operation reads, so that a generated client can send them', () => {
    const headersOf = (path: string, method: string) => (doc.paths[path]![method]!.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name).sort();
    // Scoped, a write that takes a key and If-Match.
    expect(headersOf('/v1/webhooks/endpoints/{id}', 'patch')).toEqual(['if-match', 'x-falu-version', 'x-idempotency-key', 'x-live-mode', 'x-workspace-id']);
    // Scoped, a read that may answer 304.
    expect(headersOf('/v1/events/{id}', 'get')).toEqual(['if-none-match', 'x-falu-version', 'x-live-mode', 'x-workspace-id']);
    // The platform's own: no workspace or mode to name.
    expect(headersOf('/v1/workspaces', 'post')).toEqual(['x-falu-version', 'x-idempotency-key']);
    expect(headersOf('/v1/workspaces/{id}', 'get')).toEqual(['if-none-match', 'x-falu-version']);
    // Every operation under /v1 takes X-Falu-Version; every POST and PATCH an idempotency key; nothing else names them.
    for (const { key, method, op } of operationsOf(doc)) {
      const names = (op.parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name);
      expect(names.includes('x-falu-version'), key).toBe(key.includes(' /v1/'));
      expect(names.includes('x-idempotency-key'), key).toBe(key.includes(' /v1/') && (method === 'post' || method === 'patch'));
      expect(names.includes('if-match'), key).toBe(op.responses['412'] !== undefined);
    }
  });

  it('gives every operation a unique camelCase operationId', () => {
    const ops = operationsOf(doc);
    expect(ops.length).toBeGreaterThan(30);
    const missing = ops.filter(({ op }) => op.operationId === undefined).map(({ key }) => key);
    expect(missing, 'operations without an operationId (add one to the route schema)').toEqual([]);
    const notCamel = ops.filter(({ op }) => !/^[a-z][a-z0-9]*(?:[A-Z][a-z0-9]*)*$/.test(op.operationId!)).map(({ key, op }) => `${key}: ${op.operationId}`);
    expect(notCamel, 'operationIds that are not camelCase').toEqual([]);
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const { key, op } of ops) {
      if (seen.has(op.operationId!)) twice.push(`${op.operationId} (${seen.get(op.operationId!)} and ${key})`);
      seen.set(op.operationId!, key);
    }
    expect(twice, 'operationIds used twice').toEqual([]);
  });

  it('describes every tag an operation uses, and has a license and a contact', () => {
    const described = new Map((doc.tags ?? []).map((t) => [t.name, t.description ?? '']));
    const used = new Set(operationsOf(doc).flatMap(({ op }) => op.tags ?? []));
    for (const tag of used) expect(described.get(tag), `tag '${tag}' needs a description in api/openapi.ts`).toMatch(/\S/);
    expect(doc.info.license).toEqual({ name: 'MIT', identifier: 'MIT' });
    expect(doc.info.contact).toBeDefined();
  });

  it('declares every error answer as application/problem+json with the Problem schema, every success answer as application/json', () => {
    expect(doc.components.schemas.Problem).toBeDefined();
    const wrong: string[] = [];
    for (const { key, op } of operationsOf(doc)) {
      for (const [status, answer] of Object.entries(op.responses)) {
        const types = Object.keys(answer.content ?? {});
        if (Number(status) >= 400) {
          if (types.join() !== 'application/problem+json' || answer.content!['application/problem+json']!.schema.$ref !== '#/components/schemas/Problem') wrong.push(`${key} ${status}: ${types.join()}`);
        } else if (status === '204' || status === '304') {
          if (types.length > 0) wrong.push(`${key} ${status} declares a body`);
        } else if (types.join() !== 'application/json') wrong.push(`${key} ${status}: ${types.join()}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('declares on each operation the errors its plugins give: auth, rate limit and store on every /v1 route; idempotency and body limits on writes', () => {
    const missing: string[] = [];
    for (const { key, method, op } of operationsOf(doc)) {
      const declared = new Set(Object.keys(op.responses).map(Number));
      const expected = [431];
      if (key.includes(' /v1/')) expected.push(400, 401, 429, 503);
      if (method === 'post' || method === 'patch') expected.push(409, 413, 415);
      if (method === 'delete') expected.push(413, 415);
      for (const status of expected) if (!declared.has(status)) missing.push(`${key} ${status}`);
    }
    expect(missing).toEqual([]);
  });
});

describe('servers', () => {
  describe('without HOOKD_PUBLIC_URL', () => {
    let h: TestHookd;
    let port: number;
    beforeAll(async () => {
      h = await startHookd({ publicUrl: '' });
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      port = (h.app.server.address() as { port: number }).port;
    });
    afterAll(async () => h.close());

    it('is the origin the request reached, for /openapi.json and for Swagger UI (/docs/json), never cached', async () => {
      for (const path of ['/openapi.json', '/docs/json']) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        expect(res.status).toBe(200);
        expect(res.headers.get('cache-control')).toBe('no-store');
        expect(((await res.json()) as Document).servers).toEqual([{ url: `http://127.0.0.1:${port}` }]);
        const byName = await h.call('GET', path, { key: null, headers: { host: 'hooks.internal:9000' } });
        expect((byName.json() as Document).servers).toEqual([{ url: 'http://hooks.internal:9000' }]);
      }
    });

    it('falls back to the listening address when Host is not a host and port', async () => {
      for (const host of ['evil.example/path?', 'a b', 'x@evil.example']) {
        const res = await h.call('GET', '/openapi.json', { key: null, headers: { host } });
        expect((res.json() as Document).servers, host).toEqual([{ url: `http://127.0.0.1:${port}` }]);
      }
    });
  });

  describe('with HOOKD_PUBLIC_URL', () => {
    let h: TestHookd;
    beforeAll(async () => {
      h = await startHookd({ publicUrl: 'https://hooks.example.com/api' });
    });
    afterAll(async () => h.close());

    it('is HOOKD_PUBLIC_URL, whatever Host says, for /openapi.json and /docs/json', async () => {
      for (const path of ['/openapi.json', '/docs/json']) {
        const res = await h.call('GET', path, { key: null, headers: { host: 'evil.example' } });
        expect((res.json() as Document).servers, path).toEqual([{ url: 'https://hooks.example.com/api' }]);
      }
    });
  });
});
