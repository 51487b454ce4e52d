/**
 * Fastify's compilers for the routes' own schemas (request validators with Ajv, response
 * serializers with fast-json-stringify), each compiled on its route's first use instead of at
 * start. Compiled eagerly, the ~100 schemas of the 45 routes held 4.2 MB of live heap (2.3 MB
 * serializers, 1.9 MB validators) in an idle process, most of it for routes a deployment never
 * calls, and V8 sizes the old generation's limit as a multiple of what is live. What a schema
 * does once compiled is unchanged; only when it is compiled moves.
 *
 * The trap: a route schema that Ajv refuses (or warns about, ajv-logger.ts) failed the start;
 * now it would fail that route's first request. compileAll() compiles everything still pending,
 * and test/routes.test.ts calls it (as `app.compileSchemas()`) so that such a schema fails a test.
 */
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import { Ajv, type ValidateFunction } from 'ajv';
import { routeSchemaAjvLogger } from './ajv-logger.js';
import { fieldsOfType, notDecimal } from './query-integers.js';
import { readBooleans } from './query-booleans.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Compiles every route schema not compiled yet (schema-compilers.ts); throws on a bad one. */
    compileSchemas(): void;
  }
}

type Serializer = (doc: unknown) => string;

export interface SchemaCompilers {
  buildValidator(externalSchemas: Record<string, unknown>): (route: { schema: object | boolean; httpPart?: string }) => ValidateFunction;
  buildSerializer(externalSchemas: unknown, options: unknown): (route: { schema?: unknown; method: string; url: string; httpStatus: string }) => Serializer;
  compileAll(): void;
}

export function createSchemaCompilers(): SchemaCompilers {
  const pending = new Set<() => unknown>();

  /** The compiled function, made on the first call; until then it waits in `pending`. */
  function deferred<F>(compile: () => F): () => F {
    let compiled: F | undefined;
    const force = (): F => {
      if (compiled === undefined) {
        compiled = compile();
        pending.delete(force);
      }
      return compiled;
    };
    pending.add(force);
    return force;
  }

  /**
   * Fastify calls buildValidator again for every route registered after an addSchema in the same
   * scope (its `addedSchemas` flag is never reset): 2 Ajv instances per route, each with the meta-
   * schema and every shared schema. Compiled at start they became garbage; a deferred compile keeps
   * its Ajv, so the instances are shared by every call that brings the same shared schemas.
   */
  const ajvs: { schemas: unknown[]; strictAjv: Ajv; queryAjv: Ajv }[] = [];
  function ajvsFor(schemas: unknown[]) {
    const same = ajvs.find((a) => a.schemas.length === schemas.length && a.schemas.every((s, i) => s === schemas[i]));
    if (same) return same;
    // verbose: an error carries its schema, where a union's rule in words is (ruledUnion in api/plugins/problem.ts).
    const common = { allErrors: true, verbose: true, removeAdditional: false, useDefaults: true, strict: false, logger: routeSchemaAjvLogger } as const;
    const made = { schemas, strictAjv: new Ajv({ ...common, coerceTypes: false }), queryAjv: new Ajv({ ...common, coerceTypes: 'array' }) };
    for (const ajv of [made.strictAjv, made.queryAjv]) {
      ajv.addFormat('date-time', true);
      for (const schema of schemas) ajv.addSchema(schema as object);
    }
    ajvs.push(made);
    return made;
  }

  return {
    /**
     * Bodies are validated strictly (no type coercion: "123" is not a number, unknown fields
     * are errors); query strings are coerced, since every value in a URL is text. A compilers
     * factory, not setValidatorCompiler: Fastify rebuilds the validator in every plugin scope
     * that adds a shared schema, and only the factory survives that.
     */
    buildValidator(externalSchemas) {
      const { strictAjv, queryAjv } = ajvsFor(Object.values(externalSchemas));
      return ({ schema, httpPart }) => {
        const compiled = deferred(() => (httpPart === 'querystring' ? queryAjv : strictAjv).compile(schema));
        const integers = httpPart === 'querystring' ? fieldsOfType(schema, 'integer') : [];
        const booleans = httpPart === 'querystring' ? fieldsOfType(schema, 'boolean') : [];
        // Fastify hands Ajv's second argument (the request as parent data, so that Ajv may replace
        // a root value) only to a function with `schemaEnv`, and reads a failure's `errors` from
        // the function it was given: both are passed through to the compiled one.
        const validate = ((data: unknown, cxt?: Parameters<ValidateFunction>[1]) => {
          const v = compiled();
          // Before Ajv runs: it coerces the query's text in place (query-integers.ts, query-booleans.ts).
          const refused = [...(integers.length > 0 ? notDecimal(integers, data) : []), ...(booleans.length > 0 ? readBooleans(booleans, data) : [])];
          const ok = v(data, cxt);
          // Ajv's own verdict on a refused parameter (`1e3` read as 1000, "must be <= 100") is about a number the client did not write.
          validate.errors = refused.length === 0 ? v.errors
            : [...refused, ...(v.errors ?? []).filter((e) => !refused.some((r) => r.instancePath === e.instancePath))];
          return ok && refused.length === 0;
        }) as ValidateFunction;
        Object.defineProperty(validate, 'schema', { get: () => compiled().schema });
        Object.defineProperty(validate, 'schemaEnv', { get: () => compiled().schemaEnv });
        return validate;
      };
    },

    buildSerializer(externalSchemas, options) {
      const compile = SerializerSelector()(externalSchemas, options as Parameters<ReturnType<typeof SerializerSelector>>[1]);
      return (route) => {
        const compiled = deferred(() => compile(route));
        return (doc) => compiled()(doc);
      };
    },

    compileAll() {
      for (const force of [...pending]) force();
    },
  };
}
