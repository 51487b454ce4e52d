/**
 * The one loadConfig(): flags, then environment (HOOKD_*, DATABASE_URL), then
 * hookd.config.json in the working directory, then defaults (docs/configuration.md). Every setting is
 * one row of SETTINGS (settings.ts); a bad value stops the start with the setting's name
 * and what it accepts, and a misspelt name gets a "did you mean" hint.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { SETTINGS } from './settings.js';
import { HookdError } from '../domain/errors.js';

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  role: Role;
  adminKey: string | null;
  encryptionKey: string | null;
  /** Keys that still open old values during a rotation; never used to seal. */
  previousEncryptionKeys: string[];
  /** '' when not configured: answers derive it from the request's Host. */
  publicUrl: string;
  /** ms */
  lease: number;
  rateLimit: { rate: number; burst: number };
  /** null: the platform key is not limited */
  platformRateLimit: { rate: number; burst: number } | null;
  allowNetworks: string[];
  /** http(s) proxy URL every delivery leaves through (CONNECT tunnels); null: direct. */
  egressProxy: string | null;
  /** Origins allowed to call the API from a browser; empty: CORS off. */
  corsOrigins: string[];
  /** ms; entry n is the delay before attempt n+1. */
  retrySchedule: number[];
  /** The most entries (attempts) an endpoint's own retry schedule may have. */
  endpointRetryMaxAttempts: number;
  /** ms: the most an endpoint's own retry schedule's entries may add up to. */
  endpointRetryMaxSpan: number;
  retryOn4xx: boolean;
  /** ms */
  disableAfter: number;
  /** ms */
  requestTimeout: number;
  /** ms */
  connectTimeout: number;
  maxInFlight: number;
  maxInFlightPerEndpoint: number;
  /** worker threads that sign and send deliveries; 0: on the main thread */
  senderThreads: number;
  /** ms */
  retention: number;
  logLevel: string;
  /** auto: pretty when stdout is a terminal, JSON otherwise */
  logFormat: 'auto' | 'json' | 'pretty';
  /** bytes of the whole POST /v1/events body */
  maxEventSize: number;
  /** bytes of any other request body */
  maxBodySize: number;
  maxEndpointsPerWorkspace: number;
  /** WebSocket listen sessions a workspace may hold at once */
  maxListenSessions: number;
  cloudEventsTypePrefix: string;
  /** PostgreSQL connections per process */
  dbPoolSize: number;
  /** ms; PostgreSQL cancels a statement running longer */
  statementTimeout: number;
  /** ms; client side: a PostgreSQL answer that has not come by then fails the query and drops its connection */
  queryTimeout: number;
  /** ms; client side: opening a PostgreSQL connection, or waiting for a free one, longer fails */
  dbConnectTimeout: number;
  /** ms a client has to send a whole request to the API, body included (408 and closed after) */
  httpRequestTimeout: number;
  /** ms a client has to send a request's line and headers; at most httpRequestTimeout */
  httpHeadersTimeout: number;
  /** ms an idle keep-alive connection to the API stays open */
  httpKeepAliveTimeout: number;
  /** connections the API holds at once, WebSockets included; more are closed as they arrive */
  maxConnections: number;
}


/**
 * HOOKD_* names that belong to other tools, not to the server: the CLI client's (`hookd listen`,
 * `hookd trigger`…) and the test suite's. A shell that sets them can still start `hookd serve`.
 */
const NOT_SERVER_SETTINGS = /^HOOKD_(API_URL|API_KEY|PROFILE|TEST_\w+|REQUIRE_PG|REQUIRE_PROXY|FUZZ_\w+)$/;

export function defaultConfig(): Config {
  return {
    port: 8080,
    host: '0.0.0.0',
    dataDir: './data',
    databaseUrl: null,
    role: 'all',
    adminKey: null,
    encryptionKey: null,
    previousEncryptionKeys: [],
    publicUrl: '',
    lease: 60_000,
    rateLimit: { rate: 100, burst: 200 },
    platformRateLimit: null,
    allowNetworks: [],
    egressProxy: null,
    corsOrigins: [],
    retrySchedule: [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
    // 20: room for a finer schedule than the platform's 8 attempts, while one endpoint's
    // failing deliveries cost at most 2.5 times the requests the platform's schedule sends.
    endpointRetryMaxAttempts: 20,
    // A week: a receiver down from a Friday through a long weekend still gets its events, and a
    // delivery's whole span stays well inside HOOKD_RETENTION's 30 days, so it is never cut
    // off by retention while it waits.
    endpointRetryMaxSpan: 7 * 86_400_000,
    retryOn4xx: false,
    disableAfter: 5 * 86_400_000,
    requestTimeout: 15_000,
    connectTimeout: 5_000,
    maxInFlight: 256,
    maxInFlightPerEndpoint: 16,
    senderThreads: 1,
    retention: 30 * 86_400_000,
    logLevel: 'info',
    logFormat: 'auto',
    maxEventSize: 256 * 1024,
    maxBodySize: 64 * 1024,
    maxEndpointsPerWorkspace: 100,
    maxListenSessions: 10,
    cloudEventsTypePrefix: 'io.falu.',
    dbPoolSize: 10,
    statementTimeout: 10_000,
    queryTimeout: 15_000,
    dbConnectTimeout: 5_000,
    httpRequestTimeout: 30_000,
    httpHeadersTimeout: 10_000,
    // Fastify's: longer than the 60 s idle timeout of common load balancers, so that hookd never
    // closes a connection at the moment a balancer reuses it (the balancer would answer 502).
    httpKeepAliveTimeout: 72_000,
    maxConnections: 1_000,
  };
}

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Command-line flags, already named as Config keys; strongest source. */
  flags?: Partial<Record<keyof Config, string>>;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = readConfigFile(cwd);
  const config = defaultConfig();
  const problems: string[] = [];

  for (const name of Object.keys(env)) {
    if (name.startsWith('HOOKD_') && !SETTINGS.some((s) => s.env === name) && !NOT_SERVER_SETTINGS.test(name)) {
      problems.push(`${name} is not a hookd setting${hint(name, SETTINGS.map((s) => s.env))}`);
    }
  }
  for (const name of Object.keys(file)) {
    if (!SETTINGS.some((s) => s.key === name)) {
      problems.push(`hookd.config.json: "${name}" is not a hookd setting${hint(name, SETTINGS.map((s) => s.key))}`);
    }
  }

  for (const setting of SETTINGS) {
    const flag = options.flags?.[setting.key];
    const fromEnv = env[setting.env];
    const fromFile = file[setting.key];
    let raw: string | undefined;
    let source: string;
    if (flag !== undefined) [raw, source] = [flag, `--${kebab(setting.key)}`];
    else if (fromEnv !== undefined && fromEnv !== '') [raw, source] = [fromEnv, setting.env];
    else if (fromFile !== undefined) {
      raw = Array.isArray(fromFile) ? fromFile.join(',') : String(fromFile);
      source = `hookd.config.json "${setting.key}"`;
    } else continue;
    const value = setting.parse(raw);
    const shown = setting.mask ? setting.mask(raw) : raw;
    if (value === undefined) problems.push(`${source} is ${JSON.stringify(shown.length > 80 ? shown.slice(0, 80) + '…' : shown)}; it accepts ${setting.accepts}`);
    else (config as unknown as Record<string, unknown>)[setting.key] = value;
  }

  if (config.databaseUrl && !config.encryptionKey) {
    problems.push('HOOKD_ENCRYPTION_KEY is required with DATABASE_URL: every process must share the key that encrypts webhook secrets (openssl rand -base64 32)');
  }
  if (config.previousEncryptionKeys.length > 0 && !config.encryptionKey) {
    problems.push('HOOKD_PREVIOUS_ENCRYPTION_KEYS needs HOOKD_ENCRYPTION_KEY: previous keys open old values, the current one seals new ones');
  }
  if (config.lease <= config.requestTimeout) {
    problems.push(`HOOKD_LEASE (${config.lease}ms) must outlast HOOKD_REQUEST_TIMEOUT (${config.requestTimeout}ms), or a slow request could be sent twice`);
  }
  if (config.queryTimeout <= config.statementTimeout) {
    problems.push(`HOOKD_QUERY_TIMEOUT (${config.queryTimeout}ms) must outlast HOOKD_STATEMENT_TIMEOUT (${config.statementTimeout}ms): a slow statement is cancelled by PostgreSQL, cleanly, before the client gives up on its connection`);
  }

  if (config.httpHeadersTimeout > config.httpRequestTimeout) {
    problems.push(`HOOKD_HTTP_HEADERS_TIMEOUT (${config.httpHeadersTimeout}ms) must not exceed HOOKD_HTTP_REQUEST_TIMEOUT (${config.httpRequestTimeout}ms): the headers are part of the request`);
  }

  if (problems.length > 0) {
    throw new HookdError('config_invalid', 'hookd cannot start: the configuration is invalid', { detail: problems.join('\n') });
  }
  return config;
}

function readConfigFile(cwd: string): Record<string, unknown> {
  const path = resolve(cwd, 'hookd.config.json');
  if (!existsSync(path)) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new HookdError('config_invalid', 'hookd cannot start: hookd.config.json is not valid JSON', { detail: (err as Error).message });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HookdError('config_invalid', 'hookd cannot start: hookd.config.json must hold a JSON object', { detail: path });
  }
  return parsed as Record<string, unknown>;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function hint(name: string, known: string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const k of known) {
    const d = levenshtein(name.toLowerCase(), k.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [k, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 4)) ? ` (did you mean ${best}?)` : '';
}

function levenshtein(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
