/**
 * A PostgreSQL database of its own for one test file that starts hookd processes (each process
 * migrates its database, so a schema per file is not enough): created before, dropped after,
 * on the server the PostgreSQL test project uses (HOOKD_TEST_DATABASE_URL).
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const PG_URL = process.env.HOOKD_TEST_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/test';

/** The server's URL with another database (and optionally another port, e.g. a proxy's) in it. */
export function pgUrl(database: string, port?: number): string {
  const u = new URL(PG_URL);
  u.pathname = `/${database}`;
  if (port !== undefined) u.port = String(port);
  return u.toString();
}

async function run<R extends pg.QueryResultRow>(database: string, text: string, values: unknown[]): Promise<pg.QueryResult<R>> {
  const client = new pg.Client({ connectionString: pgUrl(database) });
  await client.connect();
  try {
    return await client.query<R>(text, values);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  /** Its URL, through another port when given (a proxy in front of the server). */
  url(port?: number): string;
  /** One statement on this database, for looking at rows directly. */
  query<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]>;
  /** Ends every session still on it (a process that outlived its test) and drops it. */
  drop(): Promise<void>;
}

export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  // CREATE and DROP DATABASE cannot run inside the target: they go through `postgres`.
  await run('postgres', `CREATE DATABASE ${name}`, []);
  return {
    name,
    url: (port) => pgUrl(name, port),
    query: async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []) => (await run<R>(name, text, values)).rows,
    async drop() {
      await run('postgres', 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [name]);
      await run('postgres', `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`, []);
    },
  };
}
