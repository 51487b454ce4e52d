/**
 * Redis and PostgreSQL, which the baselines and hookd-postgres need: where they are, starting
 * them when they are down (as .ci/run does, and stopping again only what was started here), and
 * the throwaway databases each run creates and drops.
 */
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import pg from 'pg';
import { sleep } from './clock.js';
import { onCleanup } from './cleanup.js';

const run = promisify(execFile);

const redisUrl = new URL(process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379');
export const REDIS = { host: redisUrl.hostname, port: Number(redisUrl.port || 6379) };
/** A database the harness may connect to in order to create and drop its own. */
export const PG_ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://root@127.0.0.1:5432/postgres';

async function succeeds(command: string, args: string[]): Promise<boolean> {
  try {
    await run(command, args, { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}

export async function ensureRedis(log: (line: string) => void): Promise<void> {
  const ping = () => succeeds('redis-cli', ['-h', REDIS.host, '-p', String(REDIS.port), 'ping']);
  if (await ping()) return;
  log(`Redis is down at ${REDIS.host}:${REDIS.port}; starting it`);
  await run('redis-server', ['--port', String(REDIS.port), '--save', '', '--appendonly', 'no', '--daemonize', 'yes']);
  for (let i = 0; i < 30 && !(await ping()); i++) await sleep(200);
  onCleanup(async () => void (await succeeds('redis-cli', ['-h', REDIS.host, '-p', String(REDIS.port), 'shutdown', 'nosave'])));
}

export async function ensurePostgres(log: (line: string) => void): Promise<void> {
  const url = new URL(PG_ADMIN_URL);
  const ready = () => succeeds('pg_isready', ['-q', '-h', url.hostname, '-p', url.port || '5432']);
  if (await ready()) return;
  const version = readdirSync('/etc/postgresql')[0];
  if (!version) throw new Error('PostgreSQL is down and no cluster is configured under /etc/postgresql');
  log(`PostgreSQL is down; starting cluster ${version}/main`);
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start']);
  for (let i = 0; i < 30 && !(await ready()); i++) await sleep(1_000);
  onCleanup(async () => void (await succeeds('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'stop'])));
}

async function admin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: PG_ADMIN_URL });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Creates a fresh database and returns its URL and how to drop it (also registered as a cleanup). */
export async function createDatabase(label: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `bench_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}_${process.pid}_${Date.now().toString(36)}`;
  await admin((c) => c.query(`CREATE DATABASE "${name}"`));
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  let dropped = false;
  const drop = async () => {
    if (dropped) return;
    dropped = true;
    unregister();
    // FORCE: a worker that has not closed every connection yet must not keep the database alive.
    await admin((c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
  };
  const unregister = onCleanup(drop);
  return { url: url.toString(), drop };
}
