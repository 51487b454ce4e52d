/**
 * The PostgreSQL store: any number of API and worker processes on any number of machines share
 * one database (docs/architecture.md). Queries are the shared ones in sql/; only the connection, the
 * claim (claim.ts) and the error classification live here.
 */
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { HookdError } from '../../domain/errors.js';
import { retryDelay, type Backoff } from '../../delivery/retry-policy.js';
import { createKyselyStore } from '../sql/kysely-store.js';
import { migrateToLatest } from '../migrations/index.js';
import type { Database } from '../schema.js';
import type { SecretBox } from '../secret-box.js';
import type { Store } from '../types.js';
import { claimDeliveries } from './claim.js';
import { CONNECTION_ABANDONED, discardingTimedOutConnections, QUERY_READ_TIMEOUT } from './discarding-pool.js';

export interface PostgresStoreOptions {
  url: string;
  box: SecretBox;
  poolSize: number;
  /**
   * Of `poolSize`, the connections kept for the dispatcher's queries (see below); 0 (the
   * default) runs them on the shared pool with synchronous commits, as an API-only process does.
   */
  queuePoolSize?: number;
  /** ms: a statement running longer is cancelled by PostgreSQL (and answered 503). */
  statementTimeout: number;
  /**
   * ms: client side, a query whose answer has not come by then fails (503) and its connection is
   * dropped — the bound when the server or the path to it stops answering without closing.
   * Default: the statement timeout plus 5 s, so a slow statement is cancelled cleanly first.
   */
  queryTimeout?: number;
  /** ms: opening a connection (or waiting for a free one) longer fails (503). Default 5 s. */
  connectTimeout?: number;
  /** A schema of its own (created if missing): how tests give each file its own tables. */
  schema?: string;
  onPoolError?: (err: Error) => void;
  /** ms before a published delivery's first attempt (kysely-store.ts). */
  firstAttemptDelay?: number;
}

/** SQLSTATE classes and codes that mean "the database cannot answer now", not "this query is wrong". */
const UNAVAILABLE_STATES = /^(08|53|57P)/;
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|connection is closed|Connection refused/i;
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

export function classifyPgError(err: unknown): HookdError | undefined {
  const e = err as { code?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : '';
  if (message === QUERY_READ_TIMEOUT || message === CONNECTION_ABANDONED) {
    return new HookdError('store_unavailable', 'The store is unavailable', {
      detail: 'PostgreSQL did not answer within HOOKD_QUERY_TIMEOUT; the connection was dropped. Retry shortly.', retryAfter: 2, cause: err,
    });
  }
  if (code === '57014') {
    return new HookdError('store_unavailable', 'The store is unavailable', {
      detail: 'A database statement ran past HOOKD_STATEMENT_TIMEOUT and was cancelled.', retryAfter: 1, cause: err,
    });
  }
  if (UNAVAILABLE_STATES.test(code) || UNAVAILABLE_ERRNO.has(code) || UNAVAILABLE_MESSAGES.test(message)) {
    return new HookdError('store_unavailable', 'The store is unavailable', {
      detail: 'PostgreSQL cannot be reached or is restarting. Nothing was written; retry shortly.', retryAfter: 2, cause: err,
    });
  }
  return undefined;
}

/** bigint (int8) columns hold Unix ms, well inside 2^53: read them as numbers, not strings. */
const types = {
  getTypeParser(oid: number, format?: string) {
    if (oid === 20 && format !== 'binary') return (value: string) => Number(value);
    return (pg.types.getTypeParser as (oid: number, format?: string) => unknown)(oid, format);
  },
};

export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const { url, box, poolSize, statementTimeout, schema } = options;
  const queryTimeout = options.queryTimeout ?? statementTimeout + 5_000;
  const connectTimeout = options.connectTimeout ?? 5_000;
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new HookdError('config_invalid', `'${schema}' is not a usable schema name`);
  if (schema) {
    const admin = new pg.Client({ connectionString: url, connectionTimeoutMillis: connectTimeout, query_timeout: queryTimeout });
    try {
      await admin.connect();
      await admin.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    } catch (err) {
      throw classifyPgError(err) ?? err;
    } finally {
      await admin.end().catch(() => undefined);
    }
  }
  const openPool = (max: number, settings: string[]) => {
    const pool = new pg.Pool({
      connectionString: url,
      max,
      // A request during an outage fails within these, as a 503, instead of hanging: the first
      // bounds opening a connection (and waiting for a free one), the second each query's answer.
      connectionTimeoutMillis: connectTimeout,
      query_timeout: queryTimeout,
      idleTimeoutMillis: 30_000,
      statement_timeout: statementTimeout,
      options: [...(schema ? [`search_path=${schema}`] : []), ...settings].map((s) => `-c ${s}`).join(' ') || undefined,
      types,
    } as pg.PoolConfig);
    // An idle client that loses its connection emits here; unhandled, it would kill the process.
    pool.on('error', (err) => options.onPoolError?.(err));
    // A client lent out (mid-query, or between the statements of a transaction) has no pool
    // listener: pg-pool detaches its own while the client is out, and pg emits 'error' on the
    // client when the connection drops, which unhandled kills the process (a reset connection
    // crashed hookd with ECONNRESET, test/workers.pg.test.ts). Nothing more to do here: the
    // query rejects by itself (classified as store_unavailable) and the pool discards the
    // broken client when it comes back.
    pool.on('connect', (client) => client.on('error', () => undefined));
    return pool;
  };
  // With `queuePoolSize`, the dispatcher's queries (claims, the reads after them, outcomes) get
  // connections of their own, so that a burst of publishes never leaves a claim waiting for a connection (the
  // latency tail at 500 events/s), and they commit with synchronous_commit=off: a claim or an
  // outcome lost with the last ~200 ms of WAL when the database server itself crashes costs a
  // delivery sent again, which at-least-once allows, and each of their commits no longer waits
  // for a WAL flush (one per claim). Publishes and every API write keep synchronous commits.
  const queueSize = Math.min(options.queuePoolSize ?? 0, poolSize - 1);
  const pool = openPool(poolSize - Math.max(0, queueSize), []);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: discardingTimedOutConnections(pool) }) });
  const queueDb = queueSize > 0
    ? new Kysely<Database>({ dialect: new PostgresDialect({ pool: discardingTimedOutConnections(openPool(queueSize, ['synchronous_commit=off'])) }) })
    : db;
  let current: string;
  try {
    // The schema the tables live in (search_path, or `schema`), so that migrations never
    // mistake another schema's hookd tables in the same database for their own.
    const { rows } = await pool.query<{ schema: string }>('SELECT current_schema() AS schema');
    current = rows[0]?.schema ?? schema ?? 'public';
    await migrateToLatest(db, box, current);
  } catch (err) {
    await db.destroy().catch(() => undefined);
    if (queueDb !== db) await queueDb.destroy().catch(() => undefined);
    throw classifyPgError((err as HookdError).cause ?? err) ?? err;
  }
  // One channel per schema: two hookd deployments in one database do not wake each other.
  const channel = `hookd_work_${current}`;
  return createKyselyStore({
    dialect: 'postgres', db, queueDb, box, classifyError: classifyPgError, claim: claimDeliveries,
    onClose: () => (queueDb !== db ? queueDb.destroy() : undefined),
    // A quarter of the pool: enough groups in flight to keep commits overlapping, while the
    // dispatcher's claims and result writes and the API's reads keep connections of their own.
    publishConcurrency: Math.max(1, Math.floor(poolSize / 4)), firstAttemptDelay: options.firstAttemptDelay,
    wake: async (endpoints) => {
      await pool.query('SELECT pg_notify($1, $2)', [channel, notifyPayload(endpoints)]);
    },
    onWake: (onWork) => listen({ connectionString: url, connectionTimeoutMillis: connectTimeout, query_timeout: queryTimeout }, channel, onWork, options.onPoolError),
  });
}

/**
 * NOTIFY payloads are limited to 8,000 bytes: the endpoint ids when they fit (about 270), else
 * empty, which tells listeners to look for due work themselves.
 */
function notifyPayload(endpoints: string[]): string {
  const payload = endpoints.join(',');
  return payload.length <= 7_900 ? payload : '';
}

/** Reconnecting LISTEN: a restarting server is back within seconds; the poll covers the gap meanwhile. */
const LISTEN_RETRY: Backoff = { first: 200, max: 5_000 };

/**
 * LISTEN on a connection of its own (a pooled one would be handed to other queries). When the
 * connection drops (PostgreSQL restarting), it reconnects with backoff; meanwhile the
 * dispatcher's poll still finds the work, only later.
 */
async function listen(clientConfig: pg.ClientConfig, channel: string, onWork: (endpoints: string[] | null) => void, onError?: (err: Error) => void): Promise<() => Promise<void>> {
  let client: pg.Client | null = null;
  let stopped = false;
  let backoff = 0;
  let retry: NodeJS.Timeout | null = null;

  const connect = async (): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client(clientConfig);
    c.on('notification', (n) => onWork(n.payload ? n.payload.split(',') : null));
    c.on('error', (err) => {
      onError?.(err);
      reconnect(c);
    });
    c.on('end', () => reconnect(c));
    try {
      await c.connect();
      await c.query(`LISTEN ${channel}`);
      client = c;
      backoff = 0;
      onWork(null); // anything queued while we were not listening
    } catch (err) {
      onError?.(err as Error);
      reconnect(c);
    }
  };
  const reconnect = (c: pg.Client) => {
    if (stopped || retry || (client !== null && client !== c)) return;
    client = null;
    c.end().catch(() => undefined);
    backoff = retryDelay(backoff, LISTEN_RETRY);
    retry = setTimeout(() => {
      retry = null;
      void connect();
    }, backoff);
  };

  await connect();
  return async () => {
    stopped = true;
    if (retry) clearTimeout(retry);
    await client?.end().catch(() => undefined);
  };
}
