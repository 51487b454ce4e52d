/**
 * Every setting of hookd, one row each: its name in the environment and in hookd.config.json,
 * what it accepts, how it is read, what it means and how its default reads. loadConfig()
 * (config.ts) reads by it; docs/operations.md's configuration reference is generated from it.
 */
import ipaddr from 'ipaddr.js';
import type { Config } from './config.js';
import { formatDuration, parseDuration, parseDurationWithin, type DurationBounds } from '../domain/duration.js';
import { RETRY_SCHEDULE_MAX_ENTRIES } from '../domain/retry-schedule.js';

export interface Setting {
  key: keyof Config;
  env: string;
  accepts: string;
  parse: (raw: string) => unknown;
  /** One line for the configuration reference. */
  meaning: string;
  /** The default in words, where the value alone would mislead (a key generated on first start). */
  shownDefault?: string;
  /** How a refused value is repeated in the startup error (a password masked). */
  mask?: (raw: string) => string;
  /** Writes the default as a user would set it (a duration as `60s`, not 60000). */
  show?: (value: unknown) => string;
}

const duration = (raw: string) => parseDuration(raw);

// The helpers that return `accepts` with `parse` give a setting its rule once: what loadConfig
// enforces is what docs/operations.md states and what a refusal repeats.

/**
 * A duration within bounds: `example` is how a user would write one, `rule` a further condition
 * that loadConfig checks against another setting. The reference writes the bounds as
 * ` (at least 1s)` when there is only a minimum and as `, 1s–1h` when there is a maximum too.
 */
const boundedDuration = (example: string, bounds: DurationBounds, rule = '') => {
  const range = bounds.max !== undefined ? `, ${formatDuration(bounds.min)}–${formatDuration(bounds.max)}`
    : bounds.min > 0 ? ` (at least ${formatDuration(bounds.min)})` : '';
  return {
    accepts: `a duration such as ${example}${range}${rule ? `, ${rule}` : ''}`,
    parse: (raw: string) => parseDurationWithin(raw, bounds),
    show: (value: unknown) => formatDuration(value as number),
  };
};

/** A whole number from `min` to `max`, both included; `what` names it in the reference. */
const wholeNumber = (min: number, max: number, what = 'a whole number') => ({
  accepts: `${what} ${min}–${max}`,
  parse: (raw: string) => {
    const n = Number(raw);
    return /^\d+$/.test(raw.trim()) && n >= min && n <= max ? n : undefined;
  },
});

/** One of a few words, written as they must be typed. */
const oneOf = (...words: string[]) => ({
  accepts: `${words.slice(0, -1).join(', ')} or ${words.at(-1)!}`,
  parse: (raw: string) => (words.includes(raw) ? raw : undefined),
});

const nonEmpty = (raw: string) => (raw.trim() ? raw.trim() : undefined);
const isKey = (k: string) => Buffer.from(k, 'base64').length === 32 && /^[A-Za-z0-9+/]+=*$/.test(k);
const bool = (raw: string) => ({ true: true, false: false, '1': true, '0': false } as Record<string, boolean>)[raw.trim().toLowerCase()];
const rateAndBurst = (raw: string) => {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(raw);
  return m && Number(m[1]) > 0 && Number(m[2]) >= Number(m[1]) ? { rate: Number(m[1]), burst: Number(m[2]) } : undefined;
};
// An hour at most: Node turns a socket timeout beyond 2^31 ms (24.8 days) into 1 ms, with only a warning.
const HTTP_TIMEOUT = { min: 1_000, max: 3_600_000 };
const AT_LEAST_100MS = { min: 100 };
const BYTES = wholeNumber(1024, 10 * 1024 * 1024, 'a number of bytes');
const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);
/** An http(s) proxy's URL: scheme, optional userinfo, host and port, nothing after. */
const proxyUrl = (raw: string) => {
  try {
    const u = new URL(raw.trim());
    const bare = (u.pathname === '/' || u.pathname === '') && !u.search && !u.hash;
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname && bare ? u.href.replace(/\/$/, '') : undefined;
  } catch {
    return undefined;
  }
};
/** A comma-separated list whose every item passes `ok`. */
const listOf = (ok: (item: string) => boolean) => (raw: string) => (list(raw).every(ok) ? list(raw) : undefined);

/**
 * Every setting, once: how it is named, what it accepts, how it is read, what it means and how
 * its default reads. docs/operations.md's configuration reference is generated from this list
 * (scripts/config-reference.mjs), and a test fails when the two differ.
 */
export const SETTINGS: readonly Setting[] = [
  { key: 'port', env: 'HOOKD_PORT', ...wholeNumber(0, 65535, 'a port number'), meaning: 'port the API listens on' },
  { key: 'host', env: 'HOOKD_HOST', accepts: 'a host name or IP address', parse: nonEmpty, meaning: 'address the API listens on' },
  {
    key: 'dataDir', env: 'HOOKD_DATA_DIR', accepts: 'a directory path', parse: nonEmpty,
    meaning: 'directory of the SQLite file (`hookd.db`) and the key file (`hookd.key`); created with mode 0700 when missing',
  },
  {
    key: 'databaseUrl', env: 'DATABASE_URL', accepts: 'a postgres:// or postgresql:// URL',
    parse: (r) => (/^postgres(ql)?:\/\//.test(r.trim()) ? r.trim() : undefined),
    meaning: 'selects PostgreSQL instead of SQLite ([scaling.md](scaling.md))', shownDefault: 'unset (SQLite)',
  },
  {
    key: 'role', env: 'HOOKD_ROLE', ...oneOf('all', 'api', 'worker'),
    meaning: '`all`: API and dispatcher; `api`: API only; `worker`: dispatcher, with only `/health`, `/ready` and `/metrics` on its port',
  },
  {
    key: 'adminKey', env: 'HOOKD_ADMIN_KEY', accepts: 'a string of 32 or more characters', parse: (r) => (r.length >= 32 ? r : undefined),
    meaning: 'the platform key', shownDefault: 'generated on first start, printed once, hash stored',
  },
  {
    key: 'encryptionKey', env: 'HOOKD_ENCRYPTION_KEY', accepts: 'base64 of 32 bytes (openssl rand -base64 32)',
    parse: (r) => (isKey(r) ? r : undefined),
    meaning: 'encrypts webhook secrets, endpoint tokens and kept idempotent answers (AES-256-GCM) and signs continuation tokens; required with `DATABASE_URL`',
    shownDefault: '`<dataDir>/hookd.key`, created with mode 0600',
  },
  {
    key: 'previousEncryptionKeys', env: 'HOOKD_PREVIOUS_ENCRYPTION_KEYS', accepts: 'a comma-separated list of base64 32-byte keys',
    parse: listOf(isKey),
    meaning: 'keys that still open old values during a rotation (`hookd keys rotate-encryption`); never used to seal',
  },
  {
    key: 'publicUrl', env: 'HOOKD_PUBLIC_URL', accepts: 'an http(s) URL', parse: (r) => (/^https?:\/\/[^\s]+$/.test(r) ? r.replace(/\/+$/, '') : undefined),
    meaning: 'the URL users reach hookd at (listen URLs, portal links, the OpenAPI document\'s `servers`; https here turns on HSTS); set it whenever clients reach hookd through a proxy or by name',
    shownDefault: 'listen URLs and portal links: the listening address (`http://localhost:<port>` on 0.0.0.0 or ::, else the bound IP), never a request\'s `Host`; `servers`: the origin the request reached',
  },
  {
    key: 'lease', env: 'HOOKD_LEASE', ...boundedDuration('60s', { min: 1_000 }),
    meaning: 'how long a claimed delivery stays claimed; must outlast the request timeout',
  },
  {
    key: 'rateLimit', env: 'HOOKD_RATE_LIMIT', accepts: '"<requests per second>,<burst>", e.g. 100,200', parse: rateAndBurst,
    meaning: 'requests/s and burst per workspace key (token bucket per process; 429 with `Retry-After` beyond)',
  },
  {
    key: 'platformRateLimit', env: 'HOOKD_PLATFORM_RATE_LIMIT', accepts: '"<requests per second>,<burst>", e.g. 1000,2000', parse: rateAndBurst,
    meaning: 'the same for the platform key', shownDefault: 'none (not limited)',
  },
  {
    key: 'allowNetworks', env: 'HOOKD_ALLOW_NETWORKS', accepts: 'a comma-separated list of CIDRs, e.g. 127.0.0.0/8,::1/128',
    parse: listOf((c) => ipaddr.isValidCIDR(c)), meaning: 'CIDRs the SSRF guard lets through',
  },
  {
    key: 'egressProxy', env: 'HOOKD_EGRESS_PROXY', accepts: 'an http:// or https:// proxy URL, e.g. http://user:pass@proxy.internal:3128 (no path)',
    parse: proxyUrl, shownDefault: 'unset: deliveries connect directly', mask: (raw) => raw.replace(/\/\/([^/@:]*):[^/@]*@/, '//$1:***@'),
    meaning: 'every delivery leaves through this proxy\'s CONNECT tunnels, to the address the SSRF guard checked (docs/security.md, "Egress proxy"); its password is never logged',
  },
  {
    key: 'corsOrigins', env: 'HOOKD_CORS_ORIGINS', accepts: 'a comma-separated list of origins such as https://app.example.com, or *',
    parse: listOf((o) => o === '*' || /^https?:\/\/[^/\s]+$/.test(o)),
    meaning: 'origins allowed to call the API from a browser', shownDefault: 'none: CORS off',
  },
  {
    key: 'retrySchedule', env: 'HOOKD_RETRY_SCHEDULE', accepts: 'comma-separated durations, e.g. 0,5s,5m,30m,2h,5h,10h,10h',
    parse: (r) => { const d = list(r).map(duration); return d.length > 0 && d.every((x) => x !== undefined) ? d : undefined; },
    meaning: 'delays before each automatic attempt: the first from the event\'s acceptance (exact), each later one from the end of the previous attempt (±20 % jitter); their number is the number of attempts', show: (v) => (v as number[]).map(formatDuration).join(','),
  },
  {
    key: 'endpointRetryMaxAttempts', env: 'HOOKD_ENDPOINT_RETRY_MAX_ATTEMPTS', ...wholeNumber(1, RETRY_SCHEDULE_MAX_ENTRIES),
    meaning: 'the most entries (attempts) an endpoint\'s own `retry_schedule` may have; more is 422',
  },
  {
    key: 'endpointRetryMaxSpan', env: 'HOOKD_ENDPOINT_RETRY_MAX_SPAN', ...boundedDuration('7d', { min: 0 }),
    meaning: 'the most an endpoint\'s own `retry_schedule` may add up to; more is 422',
  },
  { key: 'retryOn4xx', env: 'HOOKD_RETRY_ON_4XX', accepts: 'true or false', parse: bool, meaning: 'retry ordinary 4xx answers' },
  { key: 'disableAfter', env: 'HOOKD_DISABLE_AFTER', ...boundedDuration('5d', { min: 0 }), meaning: 'failing span after which an endpoint is disabled' },
  {
    key: 'requestTimeout', env: 'HOOKD_REQUEST_TIMEOUT', ...boundedDuration('15s', AT_LEAST_100MS),
    meaning: 'whole-request timeout of a delivery',
  },
  {
    key: 'connectTimeout', env: 'HOOKD_CONNECT_TIMEOUT', ...boundedDuration('5s', AT_LEAST_100MS),
    meaning: 'connect timeout of a delivery',
  },
  { key: 'maxInFlight', env: 'HOOKD_MAX_IN_FLIGHT', ...wholeNumber(1, 100_000), meaning: 'deliveries in flight per process' },
  { key: 'maxInFlightPerEndpoint', env: 'HOOKD_MAX_IN_FLIGHT_PER_ENDPOINT', ...wholeNumber(1, 10_000), meaning: 'deliveries in flight per endpoint and process' },
  {
    key: 'senderThreads', env: 'HOOKD_SENDER_THREADS', ...wholeNumber(0, 16),
    meaning: 'worker threads that sign and send deliveries, beside the main thread; 0 sends on the main thread',
  },
  {
    key: 'retention', env: 'HOOKD_RETENTION', ...boundedDuration('30d', { min: 3_600_000 }),
    meaning: 'how long events and delivery records are kept',
  },
  { key: 'logLevel', env: 'HOOKD_LOG_LEVEL', ...oneOf('fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'), meaning: 'the least severe level logged' },
  {
    key: 'logFormat', env: 'HOOKD_LOG_FORMAT', ...oneOf('auto', 'json', 'pretty'),
    meaning: 'log lines as JSON, or pretty for people; `auto` is pretty when stdout is a terminal',
  },
  { key: 'maxEventSize', env: 'HOOKD_MAX_EVENT_SIZE', ...BYTES, meaning: 'bytes of a `POST /v1/events` body' },
  { key: 'maxBodySize', env: 'HOOKD_MAX_BODY_SIZE', ...BYTES, meaning: 'bytes of any other request body' },
  { key: 'maxEndpointsPerWorkspace', env: 'HOOKD_MAX_ENDPOINTS', ...wholeNumber(1, 100_000), meaning: 'webhook endpoints per workspace and mode' },
  {
    key: 'maxListenSessions', env: 'HOOKD_MAX_LISTEN_SESSIONS', ...wholeNumber(1, 1000),
    meaning: '`hookd listen` WebSocket sessions a workspace may hold at once in each mode (test and live counted apart), per API process',
  },
  {
    key: 'cloudEventsTypePrefix', env: 'HOOKD_CLOUDEVENTS_TYPE_PREFIX', accepts: 'a prefix of letters, digits, dots, dashes or underscores (may be empty)',
    parse: (r) => (/^[A-Za-z0-9._-]*$/.test(r) ? r : undefined), meaning: 'prefix of the CloudEvents `type`',
  },
  { key: 'dbPoolSize', env: 'HOOKD_DB_POOL_SIZE', ...wholeNumber(1, 1000), meaning: 'PostgreSQL connections per process (with role `all`, 40 % kept for the dispatcher; with `worker`, all but one)' },
  {
    key: 'statementTimeout', env: 'HOOKD_STATEMENT_TIMEOUT', ...boundedDuration('10s', AT_LEAST_100MS),
    meaning: 'PostgreSQL cancels a statement running longer (answered 503)',
  },
  {
    key: 'queryTimeout', env: 'HOOKD_QUERY_TIMEOUT', ...boundedDuration('15s', AT_LEAST_100MS, 'longer than HOOKD_STATEMENT_TIMEOUT'),
    meaning: 'client side: a PostgreSQL answer that has not come by then fails the request (503) and drops the connection — the bound when the server stops answering without closing',
  },
  {
    key: 'dbConnectTimeout', env: 'HOOKD_DB_CONNECT_TIMEOUT', ...boundedDuration('5s', AT_LEAST_100MS),
    meaning: 'client side: opening a PostgreSQL connection, or waiting for a free one, longer fails the request (503)',
  },
  {
    key: 'httpRequestTimeout', env: 'HOOKD_HTTP_REQUEST_TIMEOUT', ...boundedDuration('30s', HTTP_TIMEOUT),
    meaning: 'time a client has to send a whole API request, body included; then 408 and the connection is closed (not the time of the answer, nor an open `hookd listen` WebSocket)',
  },
  {
    key: 'httpHeadersTimeout', env: 'HOOKD_HTTP_HEADERS_TIMEOUT', ...boundedDuration('10s', HTTP_TIMEOUT, 'at most HOOKD_HTTP_REQUEST_TIMEOUT'),
    meaning: 'time a client has to send an API request\'s line and headers; then 408 and the connection is closed',
  },
  {
    key: 'httpKeepAliveTimeout', env: 'HOOKD_HTTP_KEEP_ALIVE_TIMEOUT', ...boundedDuration('72s', HTTP_TIMEOUT),
    meaning: 'how long an idle keep-alive connection to the API stays open; keep it above a load balancer\'s idle timeout',
  },
  {
    key: 'maxConnections', env: 'HOOKD_MAX_CONNECTIONS', ...wholeNumber(1, 1_000_000),
    meaning: 'connections the API holds at once, `hookd listen` WebSockets included; beyond it a new connection is closed unanswered. Keep it under the open-file limit minus HOOKD_MAX_IN_FLIGHT and HOOKD_DB_POOL_SIZE',
  },
];
