/**
 * hookd on the store under test (TEST_STORE, set by the vitest project) as real child
 * processes that a scenario kills, stops and starts again: a SQLite data directory, or a
 * PostgreSQL database of its own. Whatever a scenario leaves running is killed at close.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_STORE } from '../helpers.js';
import { hookdClient } from '../hookd-client.js';
import { spawnHookd, type HookdProcess } from '../hookd-process.js';
import { createTestDatabase, type TestDatabase } from '../pg-database.js';

export const ADMIN_KEY = 'hkp_reliability_platform_key_0123456789abc';

export interface Deployment {
  store: typeof TEST_STORE;
  /** Holds the SQLite file (when the store is SQLite) and the key file. */
  dataDir: string;
  /** The PostgreSQL database, when the store is PostgreSQL. */
  db: TestDatabase | null;
  /** Starts one more hookd process; `env` adds to or overrides the deployment's settings. */
  start(env?: Record<string, string>): Promise<HookdProcess>;
  /** An HTTP client for a process, closed with the deployment. */
  client(p: HookdProcess, connections?: number): ReturnType<typeof hookdClient>;
  close(): Promise<void>;
}

export interface DeploymentOptions {
  /** Settings every process of this deployment gets (retry schedule, timeouts…). */
  env?: Record<string, string>;
  /** A data directory to use instead of a fresh temporary one (it is not removed at close). */
  dataDir?: string;
}

export async function deploy(options: DeploymentOptions = {}): Promise<Deployment> {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'hookd-reliability-'));
  const db = TEST_STORE === 'postgres' ? await createTestDatabase('hookd_rel') : null;
  const base: Record<string, string> = {
    HOOKD_DATA_DIR: dataDir, HOOKD_ADMIN_KEY: ADMIN_KEY, HOOKD_ALLOW_NETWORKS: '127.0.0.0/8',
    // The scenarios publish as fast as they can with one key; the limit is not what they test.
    HOOKD_RATE_LIMIT: '1000000,1000000',
    ...(db ? { DATABASE_URL: db.url(), HOOKD_ENCRYPTION_KEY: randomBytes(32).toString('base64'), HOOKD_DB_POOL_SIZE: '8' } : {}),
    ...options.env,
  };
  const processes: HookdProcess[] = [];
  const clients: ReturnType<typeof hookdClient>[] = [];
  return {
    store: TEST_STORE, dataDir, db,
    async start(env = {}) {
      const p = await spawnHookd({ ...base, ...env });
      processes.push(p);
      return p;
    },
    client(p, connections = 8) {
      const c = hookdClient(p.url, ADMIN_KEY, connections);
      clients.push(c);
      return c;
    },
    async close() {
      for (const c of clients) await c.close().catch(() => undefined);
      for (const p of processes) {
        if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
        await p.exited;
      }
      await db?.drop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
