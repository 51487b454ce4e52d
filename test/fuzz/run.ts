/**
 * The route fuzzer's engine: starts a real hookd (`node dist/cli/main.js serve`, a process of its
 * own, so a crash is seen as one) on a fresh data directory or PostgreSQL schema, seeds a
 * workspace with objects of every kind, sends `count` requests from generators.ts over HTTP
 * with undici, and checks every answer: no 5xx, every 4xx an application/problem+json document
 * with a traceId, no stack trace anywhere; no hang, no crash, no error in the server's log;
 * and correct answers afterwards. fuzz.test.ts runs it; `npm run fuzz` runs that with 20 000.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { maxHeaderSize, METHODS } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import pg from 'pg';
import { Pool, type Dispatcher } from 'undici';
import { requestArb, type FuzzContext, type FuzzRequest } from './generators.js';
import { operations, type OpenApiDocument } from './openapi.js';
import { untilValue } from '../wait.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const ADMIN_KEY = `hkp_fuzz_${randomBytes(20).toString('hex')}`;
/** ms one request may take before it counts as a hang. */
const HANG_MS = 15_000;
/** Requests are generated in batches, so 20 000 hostile bodies are never held at once. */
const BATCH = 250;
const STACK = /\bat \S+ \(|\bat (async )?\S+:\d+:\d+|node:internal|\.[cm]?[jt]s:\d+:\d+|\bError: /;

export interface FuzzOptions {
  count: number;
  seed: number;
  concurrency: number;
  store: 'sqlite' | 'postgres';
  databaseUrl?: string;
}

export interface Violation {
  request: string;
  problem: string;
}

export interface FuzzResult {
  requests: number;
  statuses: Record<string, number>;
  kinds: Record<string, number>;
  ms: number;
  violations: Violation[];
  /** Lines the server logged at error level or above. */
  serverErrors: string[];
  /** Why the server is no longer fit, if it is not: exited, or wrong answers afterwards. */
  afterwards: string[];
  summary: string;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer().once('error', reject).listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

interface FuzzServer {
  url: string;
  child: ChildProcess;
  log: () => string;
  stop(): Promise<void>;
}

async function startServer(options: FuzzOptions): Promise<FuzzServer> {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-fuzz-'));
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '', HOOKD_HOST: '127.0.0.1', HOOKD_DATA_DIR: dir,
    // Warnings and errors only: an error line is a finding; request lines would be 40 000 lines of noise.
    HOOKD_LOG_LEVEL: 'warn', HOOKD_ADMIN_KEY: ADMIN_KEY,
    // The fuzzer is one client sending thousands of requests a second: the limiter would answer most of them.
    HOOKD_RATE_LIMIT: '1000000,1000000',
    // Fuzzed endpoints point at a closed port on 127.0.0.1: sends fail at once instead of waiting on a network.
    HOOKD_ALLOW_NETWORKS: '127.0.0.0/8', HOOKD_CONNECT_TIMEOUT: '1s', HOOKD_REQUEST_TIMEOUT: '2s',
  };
  let dropSchema = async () => undefined as void;
  if (options.store === 'postgres') {
    const url = options.databaseUrl ?? 'postgres://root@127.0.0.1:5432/test';
    const schema = `fuzz_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await admin.end();
    const u = new URL(url);
    u.searchParams.set('options', `-c search_path=${schema}`);
    env.DATABASE_URL = u.toString();
    env.HOOKD_ENCRYPTION_KEY = randomBytes(32).toString('base64');
    dropSchema = async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    };
  }
  // The port is found free, closed, and then bound by the child: a server elsewhere on the
  // machine may take it in between. A start that fails on it tries another port; and the server
  // that answers must be this one (it knows ADMIN_KEY), not whatever took the port.
  let started: { child: ChildProcess; url: string; log: () => string } | null = null;
  for (let attempt = 1; !started; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [CLI, 'serve'], { env: { ...env, HOOKD_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const url = `http://127.0.0.1:${port}`;
    // Bounded: whatever else holds the port may never answer; a slow answer from ours is asked again.
    const ours = () => fetch(`${url}/v1/workspaces`, { headers: { authorization: `Bearer ${ADMIN_KEY}` }, signal: AbortSignal.timeout(2_000) }).then((r) => r.ok, () => false);
    const outcome = await untilValue(() => `hookd started. It printed:\n${out}`, async () => {
      if (child.exitCode !== null) {
        if (attempt < 5 && /EADDRINUSE/.test(out)) return 'port taken';
        throw new Error(`hookd exited before listening:\n${out}`);
      }
      return (await ours()) ? 'listening' : undefined;
    }, 20_000);
    if (outcome === 'listening') started = { child, url, log: () => out };
  }
  const { child, url, log } = started;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    url, child, log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      await dropSchema();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

async function send(pool: Pool, r: { method: string; path: string; headers?: Record<string, string>; body?: string }): Promise<Answer> {
  const res = await pool.request({
    method: r.method as Dispatcher.HttpMethod, path: r.path, headers: r.headers, body: r.body,
    headersTimeout: HANG_MS, bodyTimeout: HANG_MS,
  });
  const body = await res.body.text();
  return { status: res.statusCode, headers: res.headers, body };
}

/** A JSON call that must succeed, for the setup and the checks afterwards. */
async function call(pool: Pool, method: string, path: string, key: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer & { json: unknown }> {
  const a = await send(pool, {
    method, path, body: body === undefined ? undefined : JSON.stringify(body),
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
  });
  let json: unknown;
  try {
    json = a.body ? JSON.parse(a.body) : undefined;
  } catch {
    json = undefined;
  }
  return { ...a, json };
}

function expectStatus(a: Answer, status: number, what: string): void {
  if (a.status !== status) throw new Error(`fuzz setup: ${what} answered ${a.status}, not ${status}: ${a.body.slice(0, 500)}`);
}

/** A workspace with endpoints, events and deliveries in both modes, another workspace, and a real continuation token of every list. */
async function seed(pool: Pool, closedPort: number): Promise<FuzzContext> {
  const docRes = await send(pool, { method: 'GET', path: '/openapi.json' });
  expectStatus(docRes, 200, 'GET /openapi.json');
  const doc = JSON.parse(docRes.body) as OpenApiDocument;
  const ws = await call(pool, 'POST', '/v1/workspaces', ADMIN_KEY, { name: 'Fuzzed' });
  expectStatus(ws, 201, 'POST /v1/workspaces');
  const other = await call(pool, 'POST', '/v1/workspaces', ADMIN_KEY, { name: 'Other' });
  expectStatus(other, 201, 'POST /v1/workspaces');
  const w = ws.json as { id: string; keys: { test: string; live: string } };
  const o = other.json as { id: string; keys: { test: string; live: string } };
  // Workspace ids in paths are spares: rolling the fuzzed workspace's keys would turn the rest of the run into 401s.
  const ids: Record<string, string[]> = { wksp: [], we: [], evt: [], wh: [] };
  for (const key of [w.keys.test, w.keys.live, o.keys.test]) {
    for (let i = 0; i < 3; i++) {
      const e = await call(pool, 'POST', '/v1/webhooks/endpoints', key, { url: `https://127.0.0.1:${closedPort}/seed/${i}`, events: ['*'], description: `seed ${i}` });
      expectStatus(e, 201, 'POST /v1/webhooks/endpoints');
      ids.we!.push((e.json as { id: string }).id);
    }
    for (let i = 0; i < 3; i++) {
      const ev = await call(pool, 'POST', '/v1/events', key, { type: 'payment.succeeded', data: { object: { id: `pay_${i}`, amount: i } } });
      expectStatus(ev, 201, 'POST /v1/events');
      ids.evt!.push((ev.json as { id: string }).id);
    }
    const d = await call(pool, 'GET', '/v1/webhooks?count=100', key);
    expectStatus(d, 200, 'GET /v1/webhooks');
    ids.wh!.push(...(d.json as { id: string }[]).map((x) => x.id));
  }
  for (let i = 0; i < 2; i++) {
    const spare = await call(pool, 'POST', '/v1/workspaces', ADMIN_KEY, { name: `Spare ${i}` });
    expectStatus(spare, 201, 'POST /v1/workspaces');
    ids.wksp!.push((spare.json as { id: string }).id);
  }

  const ops = operations(doc);
  const tokens: Record<string, string[]> = {};
  for (const op of ops.filter((x) => x.method === 'GET' && x.pathParams.length === 0 && x.query.some((q) => q.name === 'ct'))) {
    for (const sort of ['desc', 'asc']) {
      const r = await call(pool, 'GET', `${op.path}?count=1&sort=${sort}`, op.path === '/v1/workspaces' ? ADMIN_KEY : w.keys.test);
      expectStatus(r, 200, `GET ${op.path}`);
      const t = r.headers['x-continuation-token'];
      if (typeof t === 'string') (tokens[op.path] ??= []).push(t);
    }
  }
  // Types whose data has a schema to fail (one with an $id, which Ajv registers by name); the
  // newest first, so the list below holds them.
  for (const [name, schema] of [
    ['fuzz.strict', { type: 'object', required: ['id'], properties: { id: { type: 'string', maxLength: 10 }, amount: { type: 'integer', minimum: 0 } }, additionalProperties: false }],
    ['fuzz.with_id', { $id: 'fuzz-with-id', type: 'object', properties: { nested: { type: 'array', items: { type: 'string' } } } }],
  ] as const) {
    expectStatus(await call(pool, 'POST', '/v1/event_types', ADMIN_KEY, { name, schema }), 201, `POST /v1/event_types ${name}`);
  }
  const types = await call(pool, 'GET', '/v1/event_types?count=100', w.keys.test);
  expectStatus(types, 200, 'GET /v1/event_types');
  return {
    ops, keys: { test: w.keys.test, live: w.keys.live, otherTest: o.keys.test, platform: ADMIN_KEY },
    workspace: w.id, otherWorkspace: o.id, ids, eventTypes: (types.json as { name: string }[]).map((t) => t.name), tokens, closedPort,
  };
}

/** Bytes: above the largest body hookd reads (HOOKD_MAX_EVENT_SIZE's default, 256 KiB). */
const BODY_PAST_ANY_LIMIT = 256 * 1024;

/**
 * A request the server may answer and close before it has read all of it: a head far past
 * Node's limit (431), a method Node's parser does not know (400 from the parser), or a body
 * past every body limit (413, or an earlier refusal that leaves the rest unread). RFC 9110
 * lets a server close then; a client still writing sees the reset (EPIPE, ECONNRESET) and
 * not the answer, by a race with its own writes: a finding only for any other request.
 */
function mayBeCutShort(r: FuzzRequest): boolean {
  return headSize(r) > maxHeaderSize || !METHODS.includes(r.method) || (r.body !== undefined && Buffer.byteLength(r.body) > BODY_PAST_ANY_LIMIT);
}

/** Bytes of request line and headers, roughly as sent. */
function headSize(r: FuzzRequest): number {
  return Buffer.byteLength(r.path) + Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v, 'latin1') + 4, 0);
}

function describeRequest(r: FuzzRequest): string {
  const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}…(${s.length} chars)` : s);
  const headers = Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, k === 'authorization' ? cut(v, 20) : cut(v, 80)]));
  return `[${r.kind}] ${r.method} ${cut(r.path, 300)} ${JSON.stringify(headers)}${r.body === undefined ? '' : ` body=${JSON.stringify(cut(r.body, 300))}`}`;
}

/** What is wrong with one answer, if anything. */
export function judge(r: FuzzRequest, a: Answer): string | undefined {
  if (a.status >= 500) return `${a.status}: ${a.body.slice(0, 500)}`;
  if (STACK.test(a.body)) return `a stack trace or error text in the body: ${a.body.slice(0, 500)}`;
  const requestId = a.headers['x-request-id'];
  if (typeof requestId !== 'string' || !/^req_[0-9A-Za-z]{24}$/.test(requestId)) return `no X-Request-Id (${String(requestId)})`;
  if (a.status < 400) return undefined;
  const type = String(a.headers['content-type'] ?? '');
  if (!type.startsWith('application/problem+json')) return `${a.status} answered as '${type}', not application/problem+json: ${a.body.slice(0, 300)}`;
  if (r.method === 'HEAD') return undefined;
  let p: { status?: unknown; type?: unknown; title?: unknown; traceId?: unknown };
  try {
    p = JSON.parse(a.body) as typeof p;
  } catch {
    return `${a.status} problem body is not JSON: ${a.body.slice(0, 300)}`;
  }
  if (p.status !== a.status) return `problem status ${String(p.status)} differs from the HTTP status ${a.status}`;
  if (typeof p.type !== 'string' || typeof p.title !== 'string') return 'problem without type or title';
  if (p.traceId !== requestId) return `problem traceId ${String(p.traceId)} is not the X-Request-Id ${requestId}`;
  return undefined;
}

/** After the storm: the same server still does the ordinary things right. */
async function stillServes(pool: Pool, ctx: FuzzContext, closedPort: number): Promise<string[]> {
  const wrong: string[] = [];
  const check = (ok: boolean, what: string) => {
    if (!ok) wrong.push(what);
  };
  const health = await send(pool, { method: 'GET', path: '/health' });
  check(health.status === 200, `GET /health answered ${health.status}`);
  const ws = await call(pool, 'POST', '/v1/workspaces', ctx.keys.platform, { name: 'After the fuzz' });
  check(ws.status === 201, `POST /v1/workspaces answered ${ws.status}: ${ws.body.slice(0, 300)}`);
  const key = (ws.json as { keys?: { test?: string } } | undefined)?.keys?.test ?? ctx.keys.test;
  const endpoint = await call(pool, 'POST', '/v1/webhooks/endpoints', key, { url: `https://127.0.0.1:${closedPort}/after`, events: ['payment.*'] });
  check(endpoint.status === 201, `POST /v1/webhooks/endpoints answered ${endpoint.status}: ${endpoint.body.slice(0, 300)}`);
  const event = await call(pool, 'POST', '/v1/events', key, { type: 'payment.succeeded', data: { object: { id: 'pay_after' } } });
  check(event.status === 201, `POST /v1/events answered ${event.status}: ${event.body.slice(0, 300)}`);
  const id = (event.json as { id?: string } | undefined)?.id;
  const list = await call(pool, 'GET', '/v1/events?count=10', key);
  check(list.status === 200 && Array.isArray(list.json) && (list.json as { id: string }[]).some((e) => e.id === id), `GET /v1/events does not list the new event: ${list.status} ${list.body.slice(0, 300)}`);
  const one = await call(pool, 'GET', `/v1/events/${id}`, key);
  check(one.status === 200 && (one.json as { data?: { object?: { id?: string } } }).data?.object?.id === 'pay_after', `GET /v1/events/${id} answered ${one.status}`);
  const deliveries = await call(pool, 'GET', `/v1/webhooks?event=${id}`, key);
  check(deliveries.status === 200 && Array.isArray(deliveries.json) && (deliveries.json as unknown[]).length === 1, `GET /v1/webhooks?event= answered ${deliveries.status} ${deliveries.body.slice(0, 300)}`);
  return wrong;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzResult> {
  const closedPort = await freePort();
  const server = await startServer(options);
  const pool = new Pool(server.url, { connections: options.concurrency, pipelining: 1 });
  const statuses: Record<string, number> = {};
  const kinds: Record<string, number> = {};
  const violations: Violation[] = [];
  let sent = 0;
  const started = Date.now();
  let afterwards: string[] = [];
  try {
    const ctx = await seed(pool, closedPort);
    const arb = requestArb(ctx);
    for (let batch = 0; sent < options.count; batch++) {
      const size = Math.min(BATCH, options.count - sent);
      const requests = fc.sample(arb, { seed: options.seed + batch, numRuns: size });
      let next = 0;
      const worker = async () => {
        while (next < requests.length) {
          const r = requests[next++]!;
          kinds[r.kind] = (kinds[r.kind] ?? 0) + 1;
          try {
            const a = await send(pool, r);
            statuses[a.status] = (statuses[a.status] ?? 0) + 1;
            const problem = judge(r, a);
            if (problem) violations.push({ request: describeRequest(r), problem });
          } catch (err) {
            const e = err as Error & { code?: string };
            // Anything unanswered is a finding, except a reset of a request the server may cut short.
            const oversized = mayBeCutShort(r) && (e.code === 'ECONNRESET' || e.code === 'EPIPE' || e.code === 'UND_ERR_SOCKET');
            const label = oversized ? 'reset-cut-short' : e.code ?? 'error';
            statuses[label] = (statuses[label] ?? 0) + 1;
            if (!oversized) violations.push({ request: describeRequest(r), problem: `no answer: ${e.code ?? ''} ${e.message}` });
          }
          sent++;
        }
      };
      await Promise.all(Array.from({ length: options.concurrency }, worker));
      if (server.child.exitCode !== null || server.child.signalCode !== null) break;
    }
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      afterwards.push(`hookd exited (code ${server.child.exitCode}, signal ${server.child.signalCode})`);
    } else {
      afterwards = await stillServes(pool, ctx, closedPort);
    }
  } finally {
    await pool.close();
    await server.stop();
  }
  const ms = Date.now() - started;
  const serverErrors = server.log().split('\n').filter((line) => {
    if (!line.trim()) return false;
    try {
      return (JSON.parse(line) as { level?: number }).level! >= 50;
    } catch {
      // Not a log line: whatever the process wrote on its own (an uncaught error) is a finding.
      return true;
    }
  });
  const histogram = Object.entries(statuses).sort(([a], [b]) => a.localeCompare(b)).map(([s, n]) => `${s}×${n}`).join(' ');
  const summary = `fuzz [${options.store}]: ${sent} requests in ${(ms / 1000).toFixed(1)} s (${Math.round(sent / (ms / 1000))}/s, seed ${options.seed}, concurrency ${options.concurrency}): ${histogram}; `
    + `${violations.length} violations, ${serverErrors.length} server errors${afterwards.length ? `, afterwards: ${afterwards.join('; ')}` : ', serves correctly afterwards'}`;
  return { requests: sent, statuses, kinds, ms, violations, serverErrors, afterwards, summary };
}
