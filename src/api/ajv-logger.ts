/**
 * Ajv's logger for the validators of hookd's own routes. Ajv warns on stderr (console) about
 * schema problems it then ignores — an unknown format, say — and a route schema with such a
 * problem is a bug in hookd: it fails the start (and so every test) instead of printing a line
 * nobody reads. Catalog schemas, which are user input, have their own logger (catalog-ajv.ts).
 */
import type { Logger } from 'ajv';

const fail = (...args: unknown[]): never => {
  throw new Error(`Ajv warned about one of hookd's route schemas: ${args.map(String).join(' ')}`);
};

export const routeSchemaAjvLogger: Logger = { log: () => undefined, warn: fail, error: fail };
