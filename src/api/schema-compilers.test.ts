import { Type } from '@sinclair/typebox';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { createSchemaCompilers } from './schema-compilers.js';

const Shared = Type.Object({ message: Type.String() }, { $id: 'Shared' });

async function app() {
  const compilers = createSchemaCompilers();
  const fastify = Fastify({ schemaController: { compilersFactory: { buildValidator: compilers.buildValidator, buildSerializer: compilers.buildSerializer } } });
  fastify.addSchema(Shared);
  fastify.post('/things', {
    schema: {
      body: Type.Object({ n: Type.Integer({ minimum: 1 }), tags: Type.Optional(Type.Array(Type.String(), { default: [] })) }, { additionalProperties: false }),
      querystring: Type.Object({ count: Type.Optional(Type.Integer()) }),
      response: { 200: Type.Object({ n: Type.Integer(), tags: Type.Array(Type.String()), count: Type.Optional(Type.Integer()) }), 400: Type.Ref('Shared') },
    },
  }, async (request) => ({ ...(request.body as object), count: (request.query as { count?: number }).count, secret: 'dropped by the serializer' }));
  fastify.get('/flags', { schema: { querystring: Type.Object({ on: Type.Optional(Type.Boolean()) }, { additionalProperties: false }) } }, async (request) => ({ on: (request.query as { on?: boolean }).on ?? null }));
  fastify.get('/bad', { schema: { querystring: { type: 'object', properties: { at: { type: 'string', format: 'no-such-format' } } } } }, async () => 'never');
  await fastify.ready();
  return { fastify, compilers };
}

describe('createSchemaCompilers', () => {
  it('validates, coerces query strings, applies defaults and serializes as eager compilers did', async () => {
    const { fastify } = await app();
    const ok = await fastify.inject({ method: 'POST', url: '/things?count=3', payload: { n: 2 } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ n: 2, tags: [], count: 3 });
    const strict = await fastify.inject({ method: 'POST', url: '/things', payload: { n: '2' } });
    expect(strict.statusCode).toBe(400);
    expect(strict.json().message).toMatch(/body\/n must be integer/);
    const both = await fastify.inject({ method: 'POST', url: '/things', payload: { n: 0, extra: 1 } });
    expect(both.json().message).toMatch(/must be >= 1.*must NOT have additional properties|must NOT have additional properties.*must be >= 1/);
  });

  it('compiles nothing before a route is used, and compileAll() reports a bad route schema', async () => {
    const { fastify, compilers } = await app();
    // The bad schema did not fail ready(): it waits for its route's first request…
    expect((await fastify.inject({ method: 'GET', url: '/bad' })).statusCode).toBe(500);
    // …and for compileAll(), which the routes test calls on the real app.
    expect(() => compilers.compileAll()).toThrow(/unknown format "no-such-format"/);
  });

  it('reads a boolean query parameter in any case, as a boolean header is read, and refuses anything else', async () => {
    const { fastify } = await app();
    for (const [text, value] of [['True', true], ['false', false], ['FALSE', false]] as const) {
      const res = await fastify.inject({ method: 'GET', url: `/flags?on=${text}` });
      expect(res.statusCode, res.body).toBe(200);
      expect(res.json()).toEqual({ on: value });
    }
    for (const text of ['1', 'yes', '']) {
      const res = await fastify.inject({ method: 'GET', url: `/flags?on=${text}` });
      expect(res.statusCode, text).toBe(400);
      expect(res.json().message).toMatch(/on must be true or false/);
    }
  });
});
