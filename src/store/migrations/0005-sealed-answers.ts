import type { Kysely, Migration } from 'kysely';
import type { SecretBox } from '../secret-box.js';
import { reencryptAnswers } from '../idempotency.js';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not as it is now. */

/**
 * Seals the idempotent answers kept before answers were sealed: create and roll answers hold
 * signing secrets, tokens and workspace keys whole (docs/security.md, "Idempotency records").
 * The same pass as a key rotation, which seals what it finds plain; the only migration that
 * needs the secret box, which the openers hand in (migrations/index.ts).
 */
export function sealKeptAnswers(box: SecretBox): Migration {
  return {
    async up(db: Kysely<any>): Promise<void> {
      await reencryptAnswers(db, box);
    },
    // A hookd from before cannot read a sealed answer, and must not be given the plain one
    // back: its kept answers go, and a retry with one of their keys runs again.
    async down(db: Kysely<any>): Promise<void> {
      await db.deleteFrom('idempotency_keys').where('body', 'is not', null).execute();
    },
  };
}
