/**
 * The pool as Kysely sees it, with one addition: a connection on which a query ran past the
 * client-side timeout (pg's `query_timeout`, HOOKD_QUERY_TIMEOUT) is thrown away, not handed
 * back. pg fails the query but keeps the connection, and Kysely releases it as healthy; on a
 * dead TCP path (the server stopped answering without closing) every later query on it would
 * hang to the timeout again, for as long as the kernel keeps the socket — many minutes.
 */
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';

/** pg's own message for a query that ran past `query_timeout`. */
export const QUERY_READ_TIMEOUT = 'Query read timeout';
/** What a query on a connection already given up answers at once (rollbacks, queued statements). */
export const CONNECTION_ABANDONED = 'Connection abandoned after a query read timeout';

const isReadTimeout = (err: unknown) => err instanceof Error && err.message === QUERY_READ_TIMEOUT;

export function discardingTimedOutConnections(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let timedOut: Error | null = null;
      const query = async (sql: string, parameters: ReadonlyArray<unknown>) => {
        // A transaction's ROLLBACK after the timeout would wait for the same dead socket.
        if (timedOut) throw new Error(CONNECTION_ABANDONED, { cause: timedOut });
        try {
          return await client.query(sql, [...parameters]);
        } catch (err) {
          if (isReadTimeout(err)) timedOut = err as Error;
          throw err;
        }
      };
      return {
        query: query as unknown as PostgresPoolClient['query'],
        // An error (or true) makes pg-pool end the client and open a fresh one when next needed.
        release: (destroy?: boolean) => client.release(timedOut ?? destroy),
      };
    },
    end: () => pool.end(),
  };
}
