/**
 * Webhook endpoints in the store: rows (secrets sealed by the secret box), mapping, and the
 * Store methods they serve.
 */
import { sql, type Insertable, type Kysely, type Selectable } from 'kysely';
import { randomToken } from '../../domain/ids.js';
import type { Endpoint, EndpointFormat, EndpointOrdering, EndpointSigning, EndpointStatus, ListOptions, Mode, Page } from '../../domain/types.js';
import { bit, fromJson, fromJsonOrNull, isSet, toJson, toJsonOrNull } from '../../store/columns.js';
import { placeUnplaced } from '../../store/fifo-order.js';
import { fetchPage } from '../../store/pagination.js';
import type { Database, EndpointsTable } from '../../store/schema.js';
import type { SecretBox } from '../../store/secret-box.js';
import type { Store } from '../../store/types.js';

function endpointFromRow(r: Selectable<EndpointsTable>, box: SecretBox): Endpoint {
  return {
    id: r.id, workspace: r.workspace, live: isSet(r.live), url: r.url, description: r.description,
    format: r.format as EndpointFormat, status: r.status as EndpointStatus, events: fromJson(r.events),
    secret: box.open(r.secret), token: r.token === null ? null : box.open(r.token), metadata: fromJson(r.metadata),
    created: Number(r.created), updated: Number(r.updated), etag: r.etag,
    previousSecrets: r.previous_secrets === null ? [] : fromJson(box.open(r.previous_secrets)),
    failingSince: r.failing_since === null ? null : Number(r.failing_since),
    retrySchedule: fromJsonOrNull(r.retry_schedule),
    ordering: r.ordering as EndpointOrdering, rateLimit: r.rate_limit === null ? null : Number(r.rate_limit),
    headers: r.headers === null ? {} : fromJson(box.open(r.headers)),
    filter: fromJsonOrNull(r.filter),
    clientCertificate: r.client_certificate === null || r.client_key === null ? null
      : { certificate: r.client_certificate, privateKey: box.open(r.client_key) },
    signing: r.signing as EndpointSigning,
    signingKey: r.signing_key === null || r.public_key === null ? null : { privateKey: box.open(r.signing_key), publicKey: r.public_key },
    previousSigningKeys: r.previous_signing_keys === null ? [] : fromJson(box.open(r.previous_signing_keys)),
  };
}

function endpointToRow(e: Endpoint, box: SecretBox): Insertable<EndpointsTable> {
  return {
    id: e.id, workspace: e.workspace, live: bit(e.live), url: e.url, description: e.description, format: e.format, status: e.status,
    events: toJson(e.events), secret: box.seal(e.secret), token: e.token === null ? null : box.seal(e.token),
    metadata: toJson(e.metadata), created: e.created, updated: e.updated, etag: e.etag,
    previous_secrets: e.previousSecrets.length === 0 ? null : box.seal(toJson(e.previousSecrets)),
    failing_since: e.failingSince,
    retry_schedule: toJsonOrNull(e.retrySchedule),
    ordering: e.ordering, rate_limit: e.rateLimit,
    headers: Object.keys(e.headers).length === 0 ? null : box.seal(toJson(e.headers)),
    filter: toJsonOrNull(e.filter),
    client_certificate: e.clientCertificate?.certificate ?? null,
    client_key: e.clientCertificate ? box.seal(e.clientCertificate.privateKey) : null,
    signing: e.signing,
    signing_key: e.signingKey ? box.seal(e.signingKey.privateKey) : null,
    public_key: e.signingKey?.publicKey ?? null,
    previous_signing_keys: e.previousSigningKeys.length === 0 ? null : box.seal(toJson(e.previousSigningKeys)),
  };
}

export async function createEndpoint(db: Kysely<Database>, box: SecretBox, endpoint: Endpoint): Promise<void> {
  await db.insertInto('endpoints').values(endpointToRow(endpoint, box)).execute();
}

export async function getEndpoint(db: Kysely<Database>, box: SecretBox, mode: Mode, id: string): Promise<Endpoint | null> {
  const row = await db.selectFrom('endpoints').selectAll()
    .where('id', '=', id).where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live))
    .executeTakeFirst();
  return row ? endpointFromRow(row, box) : null;
}

export async function listEndpoints(db: Kysely<Database>, box: SecretBox, mode: Mode, options: ListOptions): Promise<Page<Endpoint>> {
  const query = db.selectFrom('endpoints').selectAll()
    .where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live));
  return fetchPage(query, options, 'id', (r) => endpointFromRow(r, box));
}

export async function countEndpoints(db: Kysely<Database>, mode: Mode): Promise<number> {
  const row = await db.selectFrom('endpoints').select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * Compare-and-set on etag, so two concurrent PATCHes cannot silently overwrite each other.
 * `failing_since`, the FIFO counter and the throttle's bucket belong to the dispatcher and are
 * never written from here.
 *
 * Switching an endpoint to FIFO gives its waiting deliveries places, by acceptance
 * (store/fifo-order.ts). On PostgreSQL the switch first takes SHARE locks on events and
 * deliveries: it waits for every publish, replay, recover and claim in progress to commit,
 * and holds new ones until it commits. Without that, a publish that read the endpoint as
 * unordered just before the switch could commit a delivery with no place after the
 * numbering, and that delivery would never be sent. The pause lasts as long as the numbering
 * (docs/delivery.md); the lock comes before the endpoint's row, the order every other writer
 * takes them in, so that no two of them deadlock.
 */
export async function updateEndpoint(db: Kysely<Database>, dialect: Store['dialect'], box: SecretBox, endpoint: Endpoint, expectedEtag: string): Promise<boolean> {
  const { id, workspace, live, created: _created, failing_since: _failing, ...row } = endpointToRow(endpoint, box);
  return db.transaction().execute(async (tx) => {
    const stored = await tx.selectFrom('endpoints').select(['ordering', 'etag'])
      .where('id', '=', id).where('workspace', '=', workspace).where('live', '=', live).executeTakeFirst();
    if (!stored || stored.etag !== expectedEtag) return false;
    const toFifo = endpoint.ordering === 'fifo' && stored.ordering !== 'fifo';
    if (toFifo && dialect === 'postgres') await sql`LOCK TABLE events, deliveries IN SHARE MODE`.execute(tx);
    const result = await tx.updateTable('endpoints').set(row)
      .where('id', '=', id).where('workspace', '=', workspace).where('live', '=', live).where('etag', '=', expectedEtag)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) return false;
    if (toFifo) await placeUnplaced(tx, id);
    return true;
  });
}

/** Its pending deliveries end as failed in the same transaction: nothing stays queued for an endpoint that is gone. */
export async function deleteEndpoint(db: Kysely<Database>, mode: Mode, id: string, expectedEtag: string | undefined, now: number): Promise<boolean> {
  return db.transaction().execute(async (tx) => {
    let query = tx.deleteFrom('endpoints')
      .where('id', '=', id).where('workspace', '=', mode.workspace).where('live', '=', bit(mode.live));
    if (expectedEtag !== undefined) query = query.where('etag', '=', expectedEtag);
    const result = await query.executeTakeFirst();
    if (Number(result.numDeletedRows) !== 1) return false;
    // A new etag, as for every change to a record that GET /v1/webhooks/{id} shows.
    await tx.updateTable('deliveries').set({ status: 'failed', next_attempt_at: null, locked_until: null, updated: now, etag: randomToken() })
      .where('endpoint', '=', id).where('status', '=', 'pending').execute();
    return true;
  });
}

/** Every endpoint column the secret box seals. */
const SEALED_COLUMNS = ['secret', 'token', 'previous_secrets', 'headers', 'client_key', 'signing_key', 'previous_signing_keys'] as const;

/**
 * Re-seals every endpoint's secrets with the box's current key (key rotation); returns how
 * many rows changed. Compare-and-set on the sealed values, so a secret rolled meanwhile is
 * never overwritten with the one it replaced; 500 rows a transaction.
 */
export async function reencryptSecrets(db: Kysely<Database>, box: SecretBox): Promise<number> {
  let changed = 0;
  let after = '';
  for (;;) {
    const rows = await db.selectFrom('endpoints').select(['id', ...SEALED_COLUMNS])
      .where('id', '>', after).orderBy('id').limit(500).execute();
    if (rows.length === 0) return changed;
    after = rows[rows.length - 1]!.id;
    const reseal = (v: string | null) => (v === null ? null : box.seal(box.open(v)));
    await db.transaction().execute(async (tx) => {
      for (const r of rows) {
        if (SEALED_COLUMNS.every((c) => r[c] === null || box.isCurrent(r[c]))) continue;
        let update = tx.updateTable('endpoints')
          .set(Object.fromEntries(SEALED_COLUMNS.map((c) => [c, reseal(r[c])])))
          .where('id', '=', r.id);
        // Compare-and-set on every sealed value: one changed meanwhile is never overwritten.
        for (const c of SEALED_COLUMNS) update = r[c] === null ? update.where(c, 'is', null) : update.where(c, '=', r[c]);
        const result = await update.executeTakeFirst();
        changed += Number(result.numUpdatedRows);
      }
    });
  }
}

/** The dispatcher's unscoped read: it works across workspaces. */
export async function getEndpointsByIds(db: Kysely<Database>, box: SecretBox, ids: string[]): Promise<Map<string, Endpoint>> {
  const rows = ids.length === 0 ? [] : await db.selectFrom('endpoints').selectAll().where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, endpointFromRow(r, box)]));
}

/** This resource's part of the Store (store/sql/kysely-store.ts composes the parts). `queueDb` serves the dispatcher's read. */
export function endpointQueries(db: Kysely<Database>, queueDb: Kysely<Database>, box: SecretBox, dialect: Store['dialect']): Pick<Store,
  'createEndpoint' | 'getEndpoint' | 'listEndpoints' | 'countEndpoints' | 'updateEndpoint' | 'deleteEndpoint' | 'getEndpointsByIds'> {
  return {
    createEndpoint: (endpoint) => createEndpoint(db, box, endpoint),
    getEndpoint: (mode, id) => getEndpoint(db, box, mode, id),
    listEndpoints: (mode, options) => listEndpoints(db, box, mode, options),
    countEndpoints: (mode) => countEndpoints(db, mode),
    updateEndpoint: (endpoint, etag) => updateEndpoint(db, dialect, box, endpoint, etag),
    deleteEndpoint: (mode, id, etag, now) => deleteEndpoint(db, mode, id, etag, now),
    getEndpointsByIds: (ids) => getEndpointsByIds(queueDb, box, ids),
  };
}
