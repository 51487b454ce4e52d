/**
 * The client commands (`hookd workspaces|endpoints|events|trigger`) as a user runs them: the
 * real `node dist/cli/main.js` against a real `hookd serve`, checking what a user reads: the ids,
 * which secrets are whole and which masked, that a test send reached a local receiver signed
 * with the secret the CLI printed, and that failures are one readable line and a non-zero exit.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { constructEvent } from '../packages/verify/src/index.js';
import { spawnHookd, type HookdProcess } from './hookd-process.js';
import { startReceiver, type Receiver } from './receiver.js';
import { TEST_STORE } from './helpers.js';
import { makeTestCertificates } from './tls-certs.js';
import { untilValue } from './wait.js';

const CLI = fileURLToPath(new URL('../dist/cli/main.js', import.meta.url));
const ADMIN = 'hkp_cli_client_test_platform_key_0123456789';

interface Run { code: number; stdout: string; stderr: string }

interface Endpoint { id: string; secret: string; url: string; events: string[]; status: string; workspace: string }
interface Attempt { manual: boolean; url: string; code: number | null; successful: boolean; request: string; error: string | null }
interface Evt { id: string; type: string; data: { object: Record<string, unknown> }; workspace: string; live: boolean }

describe.skipIf(TEST_STORE !== 'sqlite')('hookd client commands', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-cli-client-'));
  let hookd: HookdProcess;
  let receiver: Receiver;
  let base: Record<string, string>;

  /** Runs the CLI; never throws, so a test can look at a failure's exit code and words. */
  function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env: { ...base, ...env } }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
  }
  /** Runs the CLI with --json and parses the answer, failing with the CLI's own words when it fails. */
  async function json<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
    const r = await cli([...args, '--json'], env);
    if (r.code !== 0) throw new Error(`hookd ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return JSON.parse(r.stdout) as T;
  }
  async function ok(args: string[], env: Record<string, string> = {}): Promise<string> {
    const r = await cli(args, env);
    if (r.code !== 0) throw new Error(`hookd ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }
  /** The same bar for every failure: one `hookd: …` line, no stack trace, no stdout, exit 1. */
  function expectReadableFailure(r: Run, words: RegExp): void {
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^hookd: /);
    expect(r.stderr).toMatch(words);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  }

  beforeAll(async () => {
    // The receiver is on 127.0.0.1, which hookd refuses to deliver to unless told otherwise.
    hookd = await spawnHookd({ HOOKD_DATA_DIR: join(dir, 'data'), HOOKD_ADMIN_KEY: ADMIN, HOOKD_ALLOW_NETWORKS: '127.0.0.0/8' });
    receiver = await startReceiver();
    // A config dir of the test's own: a profile.json in the user's real one must not leak in.
    base = { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: join(dir, 'config'), HOOKD_API_URL: hookd.url, HOOKD_API_KEY: ADMIN };
  });
  afterAll(async () => {
    hookd?.child.kill('SIGKILL');
    await receiver?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  let acme: { id: string; keys: { test: string; live: string } };
  let endpoint: Endpoint;
  let published: Evt;

  it('workspaces create prints the id and both keys whole, once; list shows them masked', async () => {
    acme = await json(['workspaces', 'create', 'Acme']);
    expect(acme.id).toMatch(/^wksp_/);
    expect(acme.keys.test).toMatch(/^fskt_[A-Za-z0-9]{40}$/);
    expect(acme.keys.live).toMatch(/^fskl_[A-Za-z0-9]{40}$/);

    const table = await ok(['workspaces', 'create', 'Beta']);
    const [header, row] = table.split('\n');
    expect(header).toMatch(/^ID\s+NAME\s+TEST KEY\s+LIVE KEY$/);
    const [betaId, , betaTest, betaLive] = row!.split(/\s+/);
    expect(betaLive).toMatch(/^fskl_[A-Za-z0-9]{40}$/);
    // A key copied from the table works: nothing was cut off.
    expect(await json<Evt[]>(['events', 'list'], { HOOKD_API_KEY: betaTest! })).toEqual([]);

    const listed = await json<{ id: string; name: string; keys: { test: string } }[]>(['workspaces', 'list']);
    expect(listed.map((w) => w.id)).toEqual([betaId, acme.id]);
    expect(listed[1]!.keys.test).toBe(`fskt_********${acme.keys.test.slice(-4)}`);
    const lines = (await ok(['workspaces', 'list'])).trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+NAME\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([[betaId, 'Beta'], [acme.id, 'Acme']]);
  });

  it('endpoints create shows the secret whole; list shows it masked', async () => {
    const key = { HOOKD_API_KEY: acme.keys.test };
    endpoint = await json(['endpoints', 'create', '--url', receiver.url, '--events', 'message.*,payment.succeeded', '--description', 'cli test'], key);
    expect(endpoint).toMatchObject({ url: receiver.url, events: ['message.*', 'payment.succeeded'], status: 'enabled', workspace: acme.id });
    expect(endpoint.id).toMatch(/^we_/);
    expect(endpoint.secret).toMatch(/^fwhs_[A-Za-z0-9+/]{43}=$/);

    const listed = await json<Endpoint[]>(['endpoints', 'list'], key);
    expect(listed.map((e) => e.id)).toEqual([endpoint.id]);
    expect(listed[0]!.secret).toBe(`fwhs_********${endpoint.secret.slice(-4)}`);
    const table = await ok(['endpoints', 'list'], key);
    expect(table).toMatch(new RegExp(`^ID\\s+STATUS\\s+URL\\s+EVENTS\\s+FORMAT\\s+SIGNING\\n${endpoint.id}\\s+enabled\\s+${receiver.url}.*\\shmac-sha256$`, 'm'));
    expect(table).not.toContain(endpoint.secret);
  });

  it('endpoints create --retry-schedule sets the endpoint\'s own; update --retry-schedule platform restores the platform\'s', async () => {
    const key = { HOOKD_API_KEY: acme.keys.test };
    const own = await json<Endpoint & { retry_schedule: string[]; retry_schedule_source: string }>(
      ['endpoints', 'create', '--url', receiver.url, '--events', 'payment.*', '--retry-schedule', '0, 5s,90s'], key);
    expect(own).toMatchObject({ retry_schedule: ['0', '5s', '90s'], retry_schedule_source: 'endpoint' });
    const updated = await json(['endpoints', 'update', own.id, '--retry-schedule', 'platform', '--description', 'back'], key);
    expect(updated).toMatchObject({ retry_schedule: ['0', '5s', '5m', '30m', '2h', '5h', '10h', '10h'], retry_schedule_source: 'platform', description: 'back' });
    expectReadableFailure(await cli(['endpoints', 'update', own.id, '--retry-schedule', '0,-5s'], key), /400 .*retry_schedule\.1/);
    await ok(['endpoints', 'delete', own.id], key);
  });

  it('endpoints create and update --ordering and --rate-limit set both, none clears the limit; a bad flag is a readable failure naming it', async () => {
    const key = { HOOKD_API_KEY: acme.keys.test };
    const fifo = await json<Endpoint & { ordering: string; rate_limit: number | null }>(
      ['endpoints', 'create', '--url', receiver.url, '--events', 'payment.*', '--ordering', 'fifo', '--rate-limit', '25'], key);
    expect(fifo).toMatchObject({ ordering: 'fifo', rate_limit: 25 });
    const table = (await ok(['endpoints', 'update', fifo.id, '--rate-limit', 'none'], key)).trimEnd();
    expect(table).toMatch(new RegExp(`^ID\\s+STATUS\\s+URL\\s+EVENTS\\s+FORMAT\\s+RETRY_SCHEDULE\\s+ORDERING\\s+RATE_LIMIT\\n${fifo.id}\\s.*\\sfifo\\s+-$`));
    expect(await json(['endpoints', 'update', fifo.id, '--ordering', 'unordered', '--rate-limit', '10000'], key)).toMatchObject({ ordering: 'unordered', rate_limit: 10_000 });
    expectReadableFailure(await cli(['endpoints', 'update', fifo.id, '--ordering', 'lifo'], key), /--ordering must be unordered or fifo, not 'lifo'/);
    expectReadableFailure(await cli(['endpoints', 'create', '--url', receiver.url, '--events', 'payment.*', '--rate-limit', '1e3'], key), /--rate-limit must be a whole number of deliveries per second \(1–10000\), or none, not '1e3'/);
    // In range is the server's rule: its problem names the field and the rule.
    expectReadableFailure(await cli(['endpoints', 'update', fifo.id, '--rate-limit', '0'], key), /400 .*'rate_limit' must be a whole number from 1 to 10000/);
    expect(await json(['endpoints', 'list'], key)).toContainEqual(expect.objectContaining({ id: fifo.id, ordering: 'unordered', rate_limit: 10_000 }));
    await ok(['endpoints', 'delete', fifo.id], key);
  });

  it('endpoints create and update set headers, a filter, a client certificate and the signing scheme; get shows them masked; bad flags name the flag', async () => {
    const key = { HOOKD_API_KEY: acme.keys.test };
    const certs = makeTestCertificates();
    try {
      writeFileSync(join(certs.dir, 'filter.json'), JSON.stringify({ data: { object: { amount: { $gte: 1000 } } } }));
      const apiKey = 'gateway-key-0123456789-abcdef';
      const args = ['endpoints', 'create', '--url', receiver.url, '--events', 'payment.*', '--header', `X-Api-Key: ${apiKey}`, '--header', 'X-Team:ops',
        '--filter', `@${join(certs.dir, 'filter.json')}`, '--client-certificate', join(certs.dir, 'client.pem'), '--client-key', join(certs.dir, 'client.key'), '--signing', 'ed25519'];
      const created = await json<Endpoint & Record<string, unknown>>(args, key);
      expect(created).toMatchObject({
        headers: { 'X-Api-Key': `********${apiKey.slice(-4)}`, 'X-Team': '********' },
        filter: { data: { object: { amount: { $gte: 1000 } } } },
        client_certificate: { subject: 'CN=hookd-client', issuer: 'CN=hookd test CA' },
        signing: 'ed25519', public_key: expect.stringMatching(/^whpk_[A-Za-z0-9+/]{43}=$/),
      });
      const publicKey = created.public_key as string;

      // The table a person reads: the delivery fields below it, the header value masked, the key absent.
      const update = await ok(['endpoints', 'update', created.id, '--header', 'X-Region: eu', '--remove-header', 'x-team'], key);
      expect(update).toMatch(new RegExp(`\\nheaders\\.X-Api-Key\\s+\\*{8}${apiKey.slice(-4)}\\nheaders\\.X-Region\\s+\\*{8}\\nfilter\\s+\\{"data"`));
      expect(update).toMatch(/\nclient_certificate\s+CN=hookd-client\nclient_certificate\.expires\s+\d{4}-/);
      expect(update).toContain(`\npublic_key                  ${publicKey}\n`);
      const shown = await ok(['endpoints', 'get', created.id], key);
      expect(shown).toMatch(new RegExp(`^id\\s+${created.id}\\n`));
      expect(shown).toMatch(/\nclient_certificate\.fingerprint\s+([0-9A-F]{2}:){31}[0-9A-F]{2}\n/);
      expect(shown).toMatch(/\nsigning\s+ed25519\n/);
      for (const text of [update, shown, JSON.stringify(created)]) {
        expect(text).not.toContain(apiKey);
        expect(text).not.toContain(certs.client.privateKey.split('\n')[1]);
      }

      const cleared = await json(['endpoints', 'update', created.id, '--filter', 'none', '--client-certificate', 'none', '--signing', 'hmac-sha256'], key);
      expect(cleared).toMatchObject({ filter: null, client_certificate: null, signing: 'hmac-sha256', public_key: null, headers: { 'X-Api-Key': expect.any(String), 'X-Region': '********' } });
      expect(await ok(['endpoints', 'get', created.id], key)).toMatch(/\nfilter\s+-\nclient_certificate\s+-\nsigning\s+hmac-sha256\n?$/);

      expectReadableFailure(await cli(['endpoints', 'update', created.id, '--signing', 'rsa'], key), /--signing must be hmac-sha256 or ed25519, not 'rsa'/);
      expectReadableFailure(await cli(['endpoints', 'update', created.id, '--filter', '[1]'], key), /--filter must be a JSON object, @file or none, not an array/);
      expectReadableFailure(await cli(['endpoints', 'update', created.id, '--client-certificate', join(certs.dir, 'client.pem')], key), /--client-certificate needs --client-key/);
      expectReadableFailure(await cli(['endpoints', 'update', created.id, '--client-certificate', join(certs.dir, 'nope.pem'), '--client-key', 'x'], key), /--client-certificate: cannot read .*nope\.pem \(ENOENT\)/);
      expectReadableFailure(await cli(['endpoints', 'update', created.id, '--header', 'X-Api-Key s3cr3t'], key), /--header must be 'Name: value'/);
      // The server's rules: its problem names the field, and does not repeat a value.
      const many = Array.from({ length: 21 }, (_, i) => ['--header', `X-Extra-${i}: s3cr3t-${i}`]).flat();
      const refused = await cli(['endpoints', 'update', created.id, ...many], key);
      expectReadableFailure(refused, /400 .*'headers' must have at most 20 headers/);
      expect(refused.stderr).not.toContain('s3cr3t');
      await ok(['endpoints', 'delete', created.id], key);
    } finally {
      certs.remove();
    }
  });

  it('endpoints test sends now and prints the attempt; roll-secret prints the new secret whole, and it signs', async () => {
    const key = { HOOKD_API_KEY: acme.keys.test };
    const attempt = await json<Attempt>(['endpoints', 'test', endpoint.id], key);
    expect(attempt).toMatchObject({ manual: true, url: receiver.url, code: 200, successful: true, error: null });
    const [sent] = await receiver.waitFor(1);
    const event = await constructEvent(sent!.body, sent!.headers as Record<string, string>, endpoint.secret);
    expect(event).toMatchObject({ type: 'webhook_endpoint.test', workspace: acme.id, live: false });

    const rolled = await json<Endpoint>(['endpoints', 'roll-secret', endpoint.id, '--expires-in', '0'], key);
    expect(rolled.id).toBe(endpoint.id);
    expect(rolled.secret).toMatch(/^fwhs_[A-Za-z0-9+/]{43}=$/);
    expect(rolled.secret).not.toBe(endpoint.secret);
    expect(await ok(['endpoints', 'test', endpoint.id], key)).toMatch(/^SUCCESSFUL\s+CODE\s+TIME\s+ERROR\ntrue\s+200\s+\d+\s+-\n$/);
    const [, again] = await receiver.waitFor(2);
    await expect(constructEvent(again!.body, again!.headers as Record<string, string>, rolled.secret, { scheme: 'both' })).resolves.toMatchObject({ type: 'webhook_endpoint.test' });
    // --expires-in 0: the old secret stopped signing at once.
    await expect(constructEvent(again!.body, again!.headers as Record<string, string>, endpoint.secret)).rejects.toMatchObject({ code: 'signature_mismatch' });
    endpoint = rolled;
  });

  it('trigger --data publishes that object; events list, get and retry find and re-send it', async () => {
    const before = receiver.received.length;
    const object = { id: 'msg_cli_1', status: 'delivered', to: '+254700000000' };
    // The platform key acting for the workspace, as a backend would.
    published = await json<Evt>(['trigger', 'message.delivered', '--workspace', acme.id, '--data', JSON.stringify(object)]);
    expect(published).toMatchObject({ type: 'message.delivered', data: { object }, workspace: acme.id, live: false });
    expect(published.id).toMatch(/^evt_/);
    // The endpoint subscribes to message.*, so the dispatcher delivers it too.
    const delivered = (await receiver.waitFor(before + 1, 15_000))[before]!;
    expect(await constructEvent(delivered.body, delivered.headers as Record<string, string>, endpoint.secret)).toMatchObject({ id: published.id, data: { object } });

    const sample = await ok(['trigger', 'payment.succeeded', '--api-key', acme.keys.test]);
    expect(sample).toMatch(/^ID\s+TYPE\s+CREATED\s+LIVE\nevt_\S+\s+payment\.succeeded\s+\S+\s+false\n$/);

    const key = { HOOKD_API_KEY: acme.keys.test };
    const listed = await json<Evt[]>(['events', 'list', '--type', 'message.delivered'], key);
    expect(listed.map((e) => e.id)).toEqual([published.id]);
    const all = (await ok(['events', 'list', '--count', '1'], key)).trim().split('\n');
    expect(all).toHaveLength(2);
    expect(all[1]).toMatch(/^evt_\S+\s+payment\.succeeded\s/);
    expect(await json<Evt>(['events', 'get', published.id], key)).toEqual(published);

    const retried = await json<Attempt>(['events', 'retry', published.id, '--webhook-endpoint', endpoint.id], key);
    expect(retried).toMatchObject({ manual: true, code: 200, successful: true });
    expect(JSON.parse(retried.request)).toMatchObject({ id: published.id, type: 'message.delivered' });
  });

  it('endpoints replay queues what the endpoint already got only with --include-delivered, once; a bad --since is a readable 400', async () => {
    const key = { HOOKD_API_KEY: acme.keys.test };
    const before = receiver.received.length;
    const since = new Date(Date.now() - 3_600_000).toISOString();
    expect(await json(['endpoints', 'replay', endpoint.id, '--since', since], key)).toMatchObject({ queued: 0 });
    const args = ['endpoints', 'replay', endpoint.id, '--since', since, '--include-delivered', '--types', 'message.*'];
    expect(await json(args, key)).toMatchObject({ queued: 1, since });
    expect(await ok(args, key)).toMatch(/^QUEUED\s+SINCE\s+UNTIL\n0\s+\S+\s+\S+\n$/);
    const again = (await receiver.waitFor(before + 1, 15_000))[before]!;
    expect(again.headers['webhook-id']).toBe(published.id);
    expectReadableFailure(await cli(['endpoints', 'replay', endpoint.id, '--since', 'yesterday'], key), /400 .*'since'/);
  });

  it('reads the API URL, key and workspace from the profile file when neither flag nor environment (set but empty) gives them', async () => {
    const home = join(dir, 'profile-home');
    mkdirSync(join(home, 'hookd'), { recursive: true });
    writeFileSync(join(home, 'hookd', 'profile.json'), JSON.stringify({ url: hookd.url, key: ADMIN, workspace: acme.id }));
    const listed = await json<Evt[]>(['events', 'list', '--type', 'message.delivered'], { XDG_CONFIG_HOME: home, HOOKD_API_URL: '', HOOKD_API_KEY: '' });
    expect(listed.map((e) => e.id)).toEqual([published.id]);
  });

  it('endpoints delete removes it; deleting it again is a readable 404', async () => {
    const key = { HOOKD_API_KEY: acme.keys.test };
    expect(await json(['endpoints', 'delete', endpoint.id], key)).toEqual({ deleted: endpoint.id });
    expect(await json<Endpoint[]>(['endpoints', 'list'], key)).toEqual([]);
    expectReadableFailure(await cli(['endpoints', 'delete', endpoint.id], key), new RegExp(`404 .*${endpoint.id}`));
  });

  it('status shows the backlog, the failing endpoint and its last error; the platform key alone sees every workspace', async () => {
    const broken = await startReceiver(() => ({ status: 500, body: 'boom' }));
    try {
      const ops = await json<{ id: string; keys: { test: string } }>(['workspaces', 'create', 'Ops']);
      const key = { HOOKD_API_KEY: ops.keys.test };
      const ep = await json<Endpoint>(['endpoints', 'create', '--url', broken.url, '--events', '*'], key);
      const event = await json<Evt>(['trigger', 'payment.failed'], key);
      await broken.waitFor(1, 15_000);
      interface Status { scope: { workspace: string | null }; deliveries: { pending: number }; failing_endpoints: { count: number; data: { id: string }[] }; recent_errors: { endpoint: string; code: number; delivery: string }[] }
      const status = await untilValue('hookd status shows a failing endpoint', async () => {
        const now = await json<Status>(['status'], key);
        return now.failing_endpoints.count > 0 ? now : undefined;
      }, 10_000);
      // Retried 5 s after the failure (the default schedule), so still pending.
      expect(status).toMatchObject({ scope: { workspace: ops.id }, deliveries: { pending: 1 }, failing_endpoints: { count: 1, data: [{ id: ep.id }] } });
      expect(status.recent_errors[0]).toMatchObject({ endpoint: ep.id, code: 500 });
      expect(JSON.stringify(status)).not.toContain(acme.id);

      const screen = (await ok(['status'], key)).trimEnd().split('\n');
      expect(screen[0]).toBe(`hookd status: ${ops.id} (test mode), at ${screen[0]!.split(', at ')[1]}`);
      expect(screen).toContain('Failing endpoints   1');
      expect(screen.find((l) => l.startsWith('Pending deliveries'))).toMatch(/^Pending deliveries {2}1 \((the next is due in \d+s|the longest-waiting was due \d+s ago)\)$/);
      expect(screen).toContainEqual(expect.stringMatching(new RegExp(`^${ep.id}\\s+enabled\\s+\\d+s ago\\s+${broken.url}$`)));
      expect(screen).toContain('Failed attempts in the last 24 h (newest first)');
      expect(screen).toContainEqual(expect.stringMatching(new RegExp(`^\\d+s ago\\s+500\\s+-\\s+${ep.id}\\s+${status.recent_errors[0]!.delivery}$`)));
      expect(screen.length).toBeLessThan(25);
      expect(event.id).toMatch(/^evt_/);

      const all = await json<Status>(['status']);
      expect(all.scope.workspace).toBeNull();
      expect(all.failing_endpoints.data.map((e) => e.id)).toContain(ep.id);
      expect((await ok(['status'])).split('\n')[0]).toMatch(/^hookd status: every workspace, at /);
    } finally {
      await broken.close();
    }
  });

  it('without an API key: exit 1 and a message that says how to give one', async () => {
    const r = await cli(['events', 'list'], { HOOKD_API_KEY: '' });
    expectReadableFailure(r, /no API key/);
    expect(r.stderr).toContain('--api-key');
    expect(r.stderr).toContain('HOOKD_API_KEY');
    expect(r.stderr).toContain(join(dir, 'config', 'hookd', 'profile.json'));
  });

  it('an API problem is printed as the server worded it, with exit 1', async () => {
    const key = { HOOKD_API_KEY: acme.keys.test };
    expectReadableFailure(await cli(['endpoints', 'create', '--url', 'ftp://example.com/hooks', '--events', 'message.*'], key), /400 .*'url' must use http or https/);
    expectReadableFailure(await cli(['trigger', 'no.such.type'], key), /400 .*'type' 'no\.such\.type' is not in the event-type catalog/);
    expectReadableFailure(await cli(['events', 'list', '--api-key', 'fskt_not_a_real_key']), /401 Invalid API key/);
    expectReadableFailure(await cli(['trigger', 'message.delivered', '--data', '{not json']), /--data must be a JSON object/);
    // The platform key on a workspace route without --workspace: the message names the flag.
    expectReadableFailure(await cli(['events', 'list']), /X-Workspace-Id.*--workspace/);
  });
});

/**
 * A hostile server (or a hostile value stored before hookd refused it): everything the CLI
 * prints from it, tables, status, JSON and errors, reaches the terminal without a raw control
 * or format character.
 */
describe.skipIf(TEST_STORE !== 'sqlite')('hookd client commands facing hostile text', () => {
  const ESC = 'x\u001b[2J\u001b]0;owned\u0007\u001b[8mhidden\u009b31m\u202eevil\nFORGED ROW';
  const endpoint = { id: 'we_1', status: 'enabled', url: `http://e/${ESC}`, events: [ESC], format: 'basic', description: ESC, metadata: { team: ESC } };
  const answers: Record<string, [number, unknown]> = {
    '/v1/webhooks/endpoints?count=100': [200, [endpoint]],
    '/v1/workspaces?count=100': [200, [{ id: 'wksp_1', name: ESC, created: '2026-01-15T12:00:00.000Z' }]],
    '/v1/events/evt_1': [200, { id: 'evt_1', type: 'payment.succeeded', data: { object: { note: ESC } } }],
    '/v1/status?limit=10': [200, {
      scope: { workspace: `wksp_${ESC}`, live: false }, generated: '2026-01-15T12:00:00.000Z', deliveries: { pending: 1, oldest_due: null },
      failing_endpoints: { count: 1, data: [{ id: 'we_1', url: endpoint.url, status: 'enabled', failing_since: '2026-01-15T11:00:00.000Z' }] },
      recent_errors: [{ attempted: '2026-01-15T11:59:00.000Z', delivery: 'wh_1', endpoint: 'we_1', url: endpoint.url, code: 500, error: ESC }],
    }],
    '/v1/webhooks/endpoints/we_1': [404, { title: `Not found ${ESC}`, detail: `No endpoint ${ESC}`, status: 404 }],
  };
  let server: Server;
  let url: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      const [status, body] = answers[req.url ?? ''] ?? [404, { title: 'no such path in this test', status: 404 }];
      res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  function run(args: string[]): Promise<Run> {
    const env = { PATH: process.env.PATH ?? '', XDG_CONFIG_HOME: join(tmpdir(), 'hookd-no-profile'), HOOKD_API_URL: url, HOOKD_API_KEY: 'fskt_x' };
    return new Promise((resolve) => {
      execFile(process.execPath, [CLI, ...args], { env }, (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
      });
    });
  }
  /** Line breaks separate lines; nothing else a terminal acts on or hides may appear. */
  // eslint-disable-next-line no-control-regex -- looking for raw control characters is the test
  const RAW = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e\u2066-\u2069]/u;

  it.each<[string[], number]>([
    [['endpoints', 'list'], 2],
    [['endpoints', 'list', '--json'], 0],
    [['workspaces', 'list'], 2],
    [['events', 'get', 'evt_1'], 0],
    [['status'], 0],
    [['status', '--json'], 0],
  ])('hookd %j', async (args, tableLines) => {
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toMatch(RAW);
    // JSON stays JSON (the same value, escaped the JSON way); tables and screens show \x1b.
    const json = args.includes('--json') || args[0] === 'events';
    if (json) expect(r.stdout).toContain('x\\u001b[2J\\u001b]0;owned\\u0007\\u001b[8mhidden\\u009b31m\\u202eevil\\nFORGED ROW');
    else expect(r.stdout).toContain('x\\x1b[2J\\x1b]0;owned\\x07\\x1b[8mhidden');
    // A table keeps one line per row: the value's line break cannot forge a row.
    if (tableLines) expect(r.stdout.trimEnd().split('\n')).toHaveLength(tableLines);
  });

  it('prints a hostile problem answer as one escaped line', async () => {
    const r = await run(['endpoints', 'delete', 'we_1']);
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(RAW);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('hookd: 404 Not found x\\x1b[2J');
  });
});
