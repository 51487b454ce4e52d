/**
 * Migrations, written once with kysely's schema builder so that SQLite and PostgreSQL get the
 * same tables. Names sort in order of application; never edit one that has shipped.
 */
import { Migrator, type Kysely, type Migration, type MigrationProvider, type MigrationResultSet } from 'kysely';
import { HookdError } from '../../domain/errors.js';
import * as m0001 from './0001-initial.js';
import * as m0002 from './0002-attempts.js';
import * as m0003 from './0003-pending-index.js';
import * as m0004 from './0004-key-generation.js';
import { sealKeptAnswers } from './0005-sealed-answers.js';
import * as m0006 from './0006-endpoint-retry-schedule.js';
import * as m0007 from './0007-replay-key.js';
import * as m0008 from './0008-delivery-control.js';
import * as m0009 from './0009-delivery-shape.js';
import type { SecretBox } from '../secret-box.js';

/** The box: data migrations that seal what was kept in plain text need it. */
function migrations(box: SecretBox): Record<string, Migration> {
  return {
    '0001-initial': m0001,
    '0002-attempts': m0002,
    '0003-pending-index': m0003,
    '0004-key-generation': m0004,
    '0005-sealed-answers': sealKeptAnswers(box),
    '0006-endpoint-retry-schedule': m0006,
    '0007-replay-key': m0007,
    '0008-delivery-control': m0008,
    '0009-delivery-shape': m0009,
  };
}

class StaticMigrationProvider implements MigrationProvider {
  constructor(private readonly box: SecretBox) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return migrations(this.box);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function migratorOf(db: Kysely<any>, box: SecretBox, schema?: string): Migrator {
  // With a schema of its own, the bookkeeping tables must be looked for in that schema: kysely
  // otherwise finds another schema's hookd_migrations and skips creating this one's.
  return new Migrator({
    db, provider: new StaticMigrationProvider(box), migrationTableName: 'hookd_migrations', migrationLockTableName: 'hookd_migrations_lock',
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
}

function migrated({ error, results }: MigrationResultSet): string[] {
  if (error) {
    throw new HookdError('store_unavailable', 'Migrating the store failed', { detail: String((error as Error).message ?? error), cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateToLatest(db: Kysely<any>, box: SecretBox, schema?: string): Promise<string[]> {
  return migrated(await migratorOf(db, box, schema).migrateToLatest());
}

/**
 * Up or down to the migration `name`: how a test makes a store look as an older hookd left it,
 * whatever migrations came after (test/store.test.ts).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function migrateTo(db: Kysely<any>, box: SecretBox, name: string): Promise<string[]> {
  return migrated(await migratorOf(db, box).migrateTo(name));
}
