import type { Kysely } from 'kysely';

/* eslint-disable @typescript-eslint/no-explicit-any -- migrations run against the schema as it was, not as it is now. */
export async function up(db: Kysely<any>): Promise<void> {
  // What a delivery carries and how it leaves (docs/delivery.md): every column is nullable or has
  // a constant default, so on PostgreSQL adding them rewrites no row, and endpoints that use none
  // of them read NULLs. Sealed columns hold secret-box text (store/secret-box.ts).
  const columns: [name: string, type: 'text', notNullDefault?: string][] = [
    ['headers', 'text'], // sealed JSON object of name → value
    ['filter', 'text'], // JSON filter (domain/event-filter.ts)
    ['client_certificate', 'text'], // PEM certificate (chain), public
    ['client_key', 'text'], // sealed PEM private key
    ['signing', 'text', 'hmac-sha256'],
    ['signing_key', 'text'], // sealed Ed25519 private key (whsk_…)
    ['public_key', 'text'], // whpk_…, derived from signing_key and kept to spare a derivation per read
    ['previous_signing_keys', 'text'], // sealed JSON [{key, expires}] of rolled keys still signing
  ];
  for (const [name, type, fixed] of columns) {
    await db.schema.alterTable('endpoints').addColumn(name, type, (c) => (fixed === undefined ? c : c.notNull().defaultTo(fixed))).execute();
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['previous_signing_keys', 'public_key', 'signing_key', 'signing', 'client_key', 'client_certificate', 'filter', 'headers']) {
    await db.schema.alterTable('endpoints').dropColumn(column).execute();
  }
}
