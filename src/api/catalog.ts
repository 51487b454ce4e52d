/**
 * The event-type catalog as the API uses it: which names exist (for endpoint subscriptions and
 * publishing) and the JSON Schema that a type's `data.object` must satisfy. Compiled schemas
 * are cached by name and etag, so a schema is compiled once per version, not per event.
 */
import type { ValidateFunction } from 'ajv';
import type { FastifyBaseLogger } from 'fastify';
import { HookdError, type FieldErrors } from '../domain/errors.js';
import type { EventType } from '../domain/types.js';
import type { Store } from '../store/types.js';
import type { CatalogAjv } from './catalog-ajv.js';
import type { checkCatalogSchema } from './catalog-schema-checks.js';

type Compiler = CatalogAjv & { check: typeof checkCatalogSchema };

export function createCatalog(store: Store, log?: Pick<FastifyBaseLogger, 'warn'>) {
  // The schema compiler (its Ajv, the formats, re2js and regexpp) is loaded with the first schema
  // it is given: 1.8 MB of live heap that a process publishing only schemaless types never needs.
  let compiler: Compiler | undefined;
  async function loadCompiler(): Promise<Compiler> {
    if (compiler) return compiler;
    const [{ createCatalogAjv }, { checkCatalogSchema }] = await Promise.all([import('./catalog-ajv.js'), import('./catalog-schema-checks.js')]);
    return (compiler ??= { ...createCatalogAjv(), check: checkCatalogSchema });
  }
  const compiled = new Map<string, { etag: string; validate: ValidateFunction }>();

  /**
   * Throws 400 naming `schema` when the document is not a JSON Schema that can be compiled. Ajv's
   * warnings are dropped here (a stored schema was accepted already); compile() reads them.
   */
  function compileStored({ ajv, takeWarnings }: Compiler, schema: Record<string, unknown>): ValidateFunction {
    let validate: ValidateFunction;
    takeWarnings();
    try {
      validate = ajv.compile(schema);
    } catch (err) {
      throw HookdError.validation({ schema: [`must be a valid JSON Schema (${(err as Error).message})`] });
    }
    // An `$async` schema validates with a promise: validateData would take it for success and its
    // rejection would go unhandled, which ends the process on the first event that fails it.
    if ((validate as { $async?: unknown }).$async === true) throw HookdError.validation({ schema: ['must not be an $async schema; hookd validates synchronously'] });
    return validate;
  }

  /**
   * A schema offered for registration: hookd's own checks first (unsafe patterns, unknown
   * formats, each naming its field), then Ajv's compile, where anything Ajv would only warn
   * about is a 400 too, never a line on stderr.
   */
  async function compile(schema: Record<string, unknown>): Promise<ValidateFunction> {
    const c = await loadCompiler();
    const problems = c.check(schema);
    if (Object.keys(problems).length > 0) throw HookdError.validation(problems);
    const validate = compileStored(c, schema);
    const warnings = c.takeWarnings();
    if (warnings.length > 0) throw HookdError.validation({ schema: warnings.map((w) => `is not accepted: ${w}`) });
    return validate;
  }

  async function validateData(type: EventType, object: unknown): Promise<void> {
    if (!type.schema) return;
    let entry = compiled.get(type.name);
    if (!entry || entry.etag !== type.etag) {
      const c = await loadCompiler();
      // A type stored before a rule existed keeps its schema (no route changes a type); the
      // operator hears of it once per process (docs/security.md "Event-type schemas").
      const problems = c.check(type.schema);
      if (Object.keys(problems).length > 0) {
        log?.warn({ eventType: type.name, problems }, 'stored event-type schema breaks a rule new registrations must follow; events are still validated against it');
      }
      entry = { etag: type.etag, validate: compileStored(c, type.schema) };
      compiled.set(type.name, entry);
    }
    if (entry.validate(object)) return;
    const errors: FieldErrors = {};
    for (const e of entry.validate.errors ?? []) {
      const path = ['data.object', ...e.instancePath.split('/').filter(Boolean)];
      if (e.keyword === 'required') path.push(String(e.params.missingProperty));
      (errors[path.join('.')] ??= []).push(e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid'));
    }
    throw new HookdError('unprocessable', 'The event data does not match its type\'s schema', {
      detail: `'${type.name}' has a JSON Schema in the catalog; data.object must satisfy it.`, errors,
    });
  }

  // Every publish looks its type up. A type, once it exists, never changes or goes (the API has
  // no route that would), so a found type is kept; a miss is not, because another process may
  // register the type a moment later. Bounded in case a platform registers types without end.
  const found = new Map<string, EventType>();
  const FOUND_MAX = 10_000;
  async function get(name: string): Promise<EventType | null> {
    const known = found.get(name);
    if (known) return known;
    const type = await store.getEventType(name);
    if (type) {
      if (found.size >= FOUND_MAX) found.clear();
      found.set(name, type);
    }
    return type;
  }

  return {
    names: () => store.eventTypeNames(),
    get,
    compile,
    validateData,
  };
}

export type Catalog = ReturnType<typeof createCatalog>;
