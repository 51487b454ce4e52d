/**
 * hookd as its users run it: `node dist/cli/main.js serve` (role all: API and dispatcher in one
 * process) on a fresh SQLite data directory or a fresh PostgreSQL database, published to over
 * its HTTP API with the platform key (X-Workspace-Id / X-Live-Mode), as a platform's backend
 * would. HOOKD_* variables set in the harness's environment are passed on (to try a setting,
 * e.g. HOOKD_MAX_IN_FLIGHT=512 npm run bench); the harness's own settings win over them.
 * On PostgreSQL, `extraWorkers` adds `hookd serve --role worker` processes on the same database.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import { spawnChild, type Child } from '../lib/child.js';
import { onCleanup } from '../lib/cleanup.js';
import { createLimiter } from '../lib/limiter.js';
import { sleep } from '../lib/clock.js';
import { createDatabase } from '../lib/services.js';
import type { EndpointSpec, System, SystemName } from './types.js';

const CLI = fileURLToPath(new URL('../../../dist/cli/main.js', import.meta.url));
/** Connections from the publisher to hookd: one per concurrent publisher of the throughput scenario, and room for bursts. */
const PUBLISH_CONNECTIONS = 64;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Distinct warning and error messages hookd logged, with how often, for the report. */
function summariseLog(output: string): string[] {
  const counts = new Map<string, number>();
  for (const line of output.split('\n')) {
    if (!line.trim()) continue;
    let msg = line.slice(0, 200);
    try {
      const entry = JSON.parse(line) as { msg?: string; err?: { message?: string } };
      msg = `${entry.msg ?? ''}${entry.err?.message ? `: ${entry.err.message}` : ''}`.slice(0, 200);
    } catch {
      // not JSON: keep the raw line
    }
    counts.set(msg, (counts.get(msg) ?? 0) + 1);
  }
  return [...counts].slice(0, 8).map(([msg, n]) => `hookd logged ${n}× "${msg}"`);
}

function hookdSystem(name: SystemName, store: 'sqlite' | 'postgres'): System {
  return {
    name,
    async start(setup) {
      if (setup.extraWorkers && store !== 'postgres') throw new Error(`${name}: extra workers need PostgreSQL (a SQLite file has one owner)`);
      const dir = mkdtempSync(join(tmpdir(), 'hookd-bench-'));
      const removeDir = () => rmSync(dir, { recursive: true, force: true });
      const unregisterDir = onCleanup(removeDir);
      const db = store === 'postgres' ? await createDatabase(`hookd_${setup.label}`) : null;
      const adminKey = `bench_${randomBytes(24).toString('hex')}`;
      const port = await freePort();
      const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('HOOKD_')));
      const env: NodeJS.ProcessEnv = {
        ...inherited,
        PATH: process.env.PATH ?? '',
        HOOKD_HOST: '127.0.0.1', HOOKD_PORT: String(port), HOOKD_ROLE: 'all', HOOKD_DATA_DIR: dir,
        HOOKD_ADMIN_KEY: adminKey, HOOKD_ALLOW_NETWORKS: '127.0.0.0/8',
        // Two log lines per request at info would be a cost no production publisher pays on every event.
        HOOKD_LOG_LEVEL: inherited.HOOKD_LOG_LEVEL ?? 'warn',
        HOOKD_MAX_ENDPOINTS: String(Math.max(100, setup.endpoints.length)),
      };
      if (setup.retry === 'fast') env.HOOKD_RETRY_SCHEDULE = ['0', ...Array<string>(200).fill('1s')].join(',');
      if (db) {
        env.DATABASE_URL = db.url;
        env.HOOKD_ENCRYPTION_KEY = randomBytes(32).toString('base64');
      }
      // cwd is the scratch directory so that a developer's hookd.config.json cannot change the run.
      // BENCH_HOOKD_NODE_ARGS go to hookd's node alone (not the harness or the baselines), e.g.
      // "--cpu-prof --cpu-prof-dir=/tmp/prof" to profile a run (scripts/cpuprofile-top.mjs reads it).
      const nodeArgs = (process.env.BENCH_HOOKD_NODE_ARGS ?? '').split(' ').filter(Boolean);
      const cli = setup.hookdCli ?? CLI;
      const child: Child = spawnChild(process.execPath, [...nodeArgs, cli, 'serve'], { env, name, cwd: dir });
      const workers: Child[] = [];
      const base = `http://127.0.0.1:${port}`;
      const pool = new Pool(base, { connections: PUBLISH_CONNECTIONS });
      const teardown = async () => {
        await Promise.all([child.stop(20_000), ...workers.map((w) => w.stop(20_000))]);
        await pool.close().catch(() => undefined);
        await db?.drop();
        removeDir();
        unregisterDir();
      };
      const platform = { authorization: `Bearer ${adminKey}`, 'content-type': 'application/json' };
      let headers: Record<string, string> = platform;
      let endpointIds: string[] = [];
      const call = async (path: string, body: unknown, expect: number): Promise<{ id: string }> => {
        const res = await pool.request({ method: 'POST', path, headers, body: JSON.stringify(body) });
        const text = await res.body.text();
        if (res.statusCode !== expect) throw new Error(`${name}: POST ${path} answered ${res.statusCode}: ${text.slice(0, 300)}`);
        return JSON.parse(text) as { id: string };
      };
      try {
        await waitUntilUp(base, child);
        // After the first is up, so that it alone migrates the new database.
        await Promise.all(Array.from({ length: setup.extraWorkers ?? 0 }, async (_, i) => {
          // Each worker serves /health and /metrics on a port of its own.
          const workerPort = await freePort();
          const worker = spawnChild(process.execPath, [...nodeArgs, cli, 'serve'], { env: { ...env, HOOKD_ROLE: 'worker', HOOKD_PORT: String(workerPort) }, name: `${name} worker ${i + 1}`, cwd: dir });
          workers.push(worker);
          await waitUntilUp(`http://127.0.0.1:${workerPort}`, worker);
        }));
        const workspace = (await call('/v1/workspaces', { name: `bench ${setup.label}` }, 201)).id;
        headers = { ...platform, 'x-workspace-id': workspace, 'x-live-mode': 'false' };
        endpointIds = await createEndpoints(setup.endpoints, (ep) => call('/v1/webhooks/endpoints', {
          url: setup.receiverUrl + ep.path, events: ep.types,
          ...(ep.ordering ? { ordering: ep.ordering } : {}), ...(ep.rateLimit ? { rate_limit: ep.rateLimit } : {}), ...(ep.filter ? { filter: ep.filter } : {}),
        }, 201));
      } catch (err) {
        const log = child.output().slice(-2000);
        await teardown();
        throw new Error(`${(err as Error).message}\n${log}`);
      }
      return {
        senderPid: child.pid,
        notes: () => summariseLog([child, ...workers].map((c) => c.output()).join('\n')),
        async updateEndpoint(index, fields) {
          const res = await pool.request({
            method: 'PATCH', path: `/v1/webhooks/endpoints/${endpointIds[index]}`, headers: { ...headers, 'content-type': 'application/merge-patch+json' }, body: JSON.stringify(fields),
          });
          const text = await res.body.text();
          if (res.statusCode !== 200) throw new Error(`${name}: PATCH endpoint ${index} answered ${res.statusCode}: ${text.slice(0, 300)}`);
        },
        async publish(type, object) {
          return (await call('/v1/events', { type, data: { object } }, 201)).id;
        },
        stop: teardown,
      };
    },
  };
}

async function waitUntilUp(base: string, child: Child): Promise<void> {
  let exited = false;
  void child.exited.then(() => (exited = true));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline && !exited) {
    try {
      const res = await fetch(`${base}/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(exited ? 'hookd exited before it was up' : 'hookd was not up within 30 s');
}

/** Endpoints are created through the API, a few at a time, as a dashboard or a script would. */
async function createEndpoints(endpoints: EndpointSpec[], create: (ep: EndpointSpec) => Promise<{ id: string }>): Promise<string[]> {
  const limit = createLimiter(8);
  return Promise.all(endpoints.map(async (ep) => (await limit.run(() => create(ep))).id));
}

export const hookdSqlite = hookdSystem('hookd-sqlite', 'sqlite');
export const hookdPostgres = hookdSystem('hookd-postgres', 'postgres');
