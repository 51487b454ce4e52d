/**
 * Migrations, written once with kysely's schema builder so that SQLite and PostgreSQL get the
 * same tables. Names sort in order of application; never edit one that has shipped.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { HookdError } from '../../domain/errors.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-attempts.js';
import * as m0003 from './0003-pending-index.js';
import * as m0004 from './0004-key-generation.js';

const MIGRATIONS: Record<string, Migration> = {
  '0001-initial': m0001,
  '0002-attempts': m0002,
  '0003-pending-index': m0003,
  '0004-key-generation': m0004,
};

class StaticMigrationProvider implements MigrationProvider {
  async getMigrations(): Promise<Record<string, Migration>> {
    return MIGRATIONS;
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>, schema?: string): Promise<string[]> {
  // With a schema of its own, the bookkeeping tables must be looked for in that schema: kysely
  // otherwise finds another schema's hookd_migrations and skips creating this one's.
  const migrator = new Migrator({
    db, provider: new StaticMigrationProvider(), migrationTableName: 'hookd_migrations', migrationLockTableName: 'hookd_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    throw new HookdError('store_unavailable', 'Migrating the store failed', { detail: String((error as Error).message ?? error), cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
