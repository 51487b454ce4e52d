import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { HookdError } from '../domain/errors.js';

const emptyDir = () => mkdtempSync(join(tmpdir(), 'hookd-config-'));

function problemOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(HookdError);
    return (err as HookdError).detail ?? '';
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({ env: {}, cwd: emptyDir() });
    expect(c).toMatchObject({
      port: 8080, host: '0.0.0.0', dataDir: './data', role: 'all', lease: 60_000, publicUrl: '',
      rateLimit: { rate: 100, burst: 200 }, retryOn4xx: false, requestTimeout: 15_000, connectTimeout: 5_000,
      retrySchedule: [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000],
    });
  });

  it.each([
    ['http://proxy.internal:3128', 'http://proxy.internal:3128'],
    ['https://ops:s3cret@proxy.internal:8443/', 'https://ops:s3cret@proxy.internal:8443'],
    ['http://[::1]:3128', 'http://[::1]:3128'],
  ])('takes HOOKD_EGRESS_PROXY %s', (raw, stored) => {
    expect(loadConfig({ env: { HOOKD_EGRESS_PROXY: raw }, cwd: emptyDir() }).egressProxy).toBe(stored);
  });

  it('takes flags over environment over hookd.config.json', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'hookd.config.json'), JSON.stringify({ port: 7000, host: '127.0.0.1', retrySchedule: ['10ms', '1s'] }));
    const c = loadConfig({ env: { HOOKD_PORT: '7100' }, cwd, flags: { port: '7200' } });
    expect(c.port).toBe(7200);
    expect(c.host).toBe('127.0.0.1');
    expect(c.retrySchedule).toEqual([10, 1000]);
    expect(loadConfig({ env: { HOOKD_PORT: '7100' }, cwd }).port).toBe(7100);
  });

  it.each([
    [{ HOOKD_PORT: 'eighty' }, 'HOOKD_PORT is "eighty"; it accepts a port number 0–65535'],
    [{ HOOKD_ROLE: 'both' }, 'HOOKD_ROLE is "both"; it accepts all, api or worker'],
    [{ HOOKD_LEASE: '60' }, 'HOOKD_LEASE is "60"; it accepts a duration such as 60s'],
    [{ HOOKD_RETRY_SCHEDULE: '0,5x' }, 'HOOKD_RETRY_SCHEDULE is "0,5x"; it accepts comma-separated durations'],
    [{ HOOKD_ADMIN_KEY: 'short' }, 'HOOKD_ADMIN_KEY is "short"; it accepts a string of 32 or more characters'],
    [{ HOOKD_ALLOW_NETWORKS: '127.0.0.0/8,999.1.1.1/8' }, 'HOOKD_ALLOW_NETWORKS is "127.0.0.0/8,999.1.1.1/8"; it accepts a comma-separated list of CIDRs'],
    [{ HOOKD_EGRESS_PROXY: 'socks5://proxy:1080' }, 'HOOKD_EGRESS_PROXY is "socks5://proxy:1080"; it accepts an http:// or https:// proxy URL'],
    [{ HOOKD_EGRESS_PROXY: 'http://proxy:3128/path' }, 'HOOKD_EGRESS_PROXY is "http://proxy:3128/path"; it accepts'],
    // A refused proxy URL is repeated with its password masked.
    [{ HOOKD_EGRESS_PROXY: 'http://ops:hunter2@proxy:3128/x' }, 'HOOKD_EGRESS_PROXY is "http://ops:***@proxy:3128/x"; it accepts'],
    [{ HOOKD_PROT: '80' }, 'HOOKD_PROT is not a hookd setting (did you mean HOOKD_PORT?)'],
    [{ DATABASE_URL: 'postgres://localhost/test' }, 'HOOKD_ENCRYPTION_KEY is required with DATABASE_URL'],
    [{ HOOKD_LEASE: '10s' }, 'must outlast HOOKD_REQUEST_TIMEOUT'],
    [{ HOOKD_QUERY_TIMEOUT: '10s' }, 'HOOKD_QUERY_TIMEOUT (10000ms) must outlast HOOKD_STATEMENT_TIMEOUT (10000ms)'],
    [{ HOOKD_QUERY_TIMEOUT: '3s', HOOKD_STATEMENT_TIMEOUT: '5s' }, 'must outlast HOOKD_STATEMENT_TIMEOUT'],
    [{ HOOKD_QUERY_TIMEOUT: '50ms' }, 'HOOKD_QUERY_TIMEOUT is "50ms"; it accepts a duration such as 15s (at least 100ms)'],
    [{ HOOKD_DB_CONNECT_TIMEOUT: 'soon' }, 'HOOKD_DB_CONNECT_TIMEOUT is "soon"; it accepts a duration such as 5s'],
    [{ HOOKD_HTTP_REQUEST_TIMEOUT: '500ms' }, 'HOOKD_HTTP_REQUEST_TIMEOUT is "500ms"; it accepts a duration such as 30s, 1s–1h'],
    [{ HOOKD_HTTP_KEEP_ALIVE_TIMEOUT: '30d' }, 'HOOKD_HTTP_KEEP_ALIVE_TIMEOUT is "30d"; it accepts a duration such as 72s, 1s–1h'],
    [{ HOOKD_HTTP_HEADERS_TIMEOUT: '40s' }, 'HOOKD_HTTP_HEADERS_TIMEOUT (40000ms) must not exceed HOOKD_HTTP_REQUEST_TIMEOUT (30000ms)'],
    [{ HOOKD_MAX_CONNECTIONS: '0' }, 'HOOKD_MAX_CONNECTIONS is "0"; it accepts a whole number 1–1000000'],
    [{ HOOKD_RETENTION: '59m' }, 'HOOKD_RETENTION is "59m"; it accepts a duration such as 30d (at least 1h)'],
    [{ HOOKD_HTTP_HEADERS_TIMEOUT: '2h' }, 'HOOKD_HTTP_HEADERS_TIMEOUT is "2h"; it accepts a duration such as 10s, 1s–1h, at most HOOKD_HTTP_REQUEST_TIMEOUT'],
    [{ HOOKD_MAX_EVENT_SIZE: '1023' }, 'HOOKD_MAX_EVENT_SIZE is "1023"; it accepts a number of bytes 1024–10485760'],
    [{ HOOKD_LOG_LEVEL: 'verbose' }, 'HOOKD_LOG_LEVEL is "verbose"; it accepts fatal, error, warn, info, debug, trace or silent'],
  ])('refuses %j', (env, message) => {
    expect(problemOf(() => loadConfig({ env, cwd: emptyDir() }))).toContain(message);
  });

  it('reads the PostgreSQL client-side timeouts, 15s and 5s by default', () => {
    expect(loadConfig({ env: {}, cwd: emptyDir() })).toMatchObject({ queryTimeout: 15_000, dbConnectTimeout: 5_000 });
    expect(loadConfig({ env: { HOOKD_QUERY_TIMEOUT: '3s', HOOKD_STATEMENT_TIMEOUT: '2s', HOOKD_DB_CONNECT_TIMEOUT: '1500ms' }, cwd: emptyDir() }))
      .toMatchObject({ queryTimeout: 3_000, statementTimeout: 2_000, dbConnectTimeout: 1_500 });
  });

  it('bounds the API\'s connections: 30s to send a request, 10s for its headers, 72s idle, 1000 at once', () => {
    expect(loadConfig({ env: {}, cwd: emptyDir() })).toMatchObject({ httpRequestTimeout: 30_000, httpHeadersTimeout: 10_000, httpKeepAliveTimeout: 72_000, maxConnections: 1_000 });
    expect(loadConfig({ env: { HOOKD_HTTP_REQUEST_TIMEOUT: '1s', HOOKD_HTTP_HEADERS_TIMEOUT: '1s', HOOKD_HTTP_KEEP_ALIVE_TIMEOUT: '5s', HOOKD_MAX_CONNECTIONS: '20' }, cwd: emptyDir() }))
      .toMatchObject({ httpRequestTimeout: 1_000, httpHeadersTimeout: 1_000, httpKeepAliveTimeout: 5_000, maxConnections: 20 });
  });

  it('takes a bounded setting at both of its bounds', () => {
    expect(loadConfig({ env: { HOOKD_HTTP_REQUEST_TIMEOUT: '1h', HOOKD_HTTP_KEEP_ALIVE_TIMEOUT: '1s', HOOKD_RETENTION: '1h', HOOKD_DISABLE_AFTER: '0', HOOKD_MAX_EVENT_SIZE: '10485760' }, cwd: emptyDir() }))
      .toMatchObject({ httpRequestTimeout: 3_600_000, httpKeepAliveTimeout: 1_000, retention: 3_600_000, disableAfter: 0, maxEventSize: 10_485_760 });
  });

  it('lets the CLI client\'s and the test suite\'s HOOKD_ variables be', () => {
    expect(() => loadConfig({ env: { HOOKD_API_URL: 'http://x', HOOKD_API_KEY: 'k', HOOKD_TEST_STORE: 'postgres', HOOKD_REQUIRE_PG: '1', HOOKD_REQUIRE_PROXY: '1' }, cwd: emptyDir() })).not.toThrow();
  });

  it('names a misspelt key in hookd.config.json', () => {
    const cwd = emptyDir();
    writeFileSync(join(cwd, 'hookd.config.json'), JSON.stringify({ dataDri: './x' }));
    expect(problemOf(() => loadConfig({ env: {}, cwd }))).toContain('"dataDri" is not a hookd setting (did you mean dataDir?)');
  });
});
