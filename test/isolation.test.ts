/**
 * Tenant isolation (docs/security.md, "Tenant and mode isolation"): every /v1 operation of the OpenAPI document,
 * walked with one workspace's key against another workspace's objects, and with a key of one
 * mode against the other mode's objects. The route list comes from /openapi.json, so a new
 * route is walked without being listed here; an operation the walk cannot drive (an unknown
 * path parameter, a required body field without a sample) fails the test instead of being
 * skipped quietly.
 *
 * Every answer to a request aimed at someone else's object must be 404 (403 on routes the key
 * may not use at all), never 2xx, and must carry none of the other tenant's ids, secrets or
 * data. Ids the request itself carried may be echoed (a 404's `instance` and `detail` name
 * them): the caller knew those already. Each refused request has a control: the same request
 * on the caller's own objects succeeds, so the 404 is isolation, not a malformed request.
 */
import { createServer } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBase62 } from '../src/domain/ids.js';
import { PLATFORM_KEY, startHookd, type TestHookd } from './helpers.js';
import { fillPath, idPrefixOf, operations, type OpenApiDocument, type Operation } from './fuzz/openapi.js';

/** Who sends a request: a key, plus the headers the platform key acts for a workspace with. */
interface Caller {
  label: string;
  /** The workspace and mode it acts in: what it owns is owned by the scope (the platform key acting for A shares A's). */
  scope: string;
  ws: string;
  live: boolean;
  key: string;
  headers: Record<string, string>;
}

/** One endpoint, one event published to it and the delivery record that created, in one workspace and mode. */
interface Objects {
  wksp: string;
  we: string;
  evt: string;
  wh: string;
}

interface Sent {
  method: string;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/**
 * Event types are one catalog shared by every workspace (docs/api.md: the platform manages it,
 * any key reads it), not tenant objects: there is no other tenant's copy to reach, so
 * /v1/event_types routes are not isolation targets. They still take part in the header checks
 * and the leak checks below.
 */
const isCatalog = (op: Operation) => op.path === '/v1/event_types' || op.path.startsWith('/v1/event_types/');

const UNKNOWN: Record<string, string> = { wksp: `wksp_${'0'.repeat(24)}`, we: `we_${'0'.repeat(24)}`, evt: `evt_${'0'.repeat(24)}`, wh: `wh_${'0'.repeat(24)}` };

/** Where a body field of a route is not an id: a value the route accepts. */
const SAMPLES: Record<string, Record<string, unknown>> = {
  'POST /v1/workspaces': { name: 'Isolation' },
  'POST /v1/webhooks/endpoints': { url: 'https://127.0.0.1:1025/sample', events: ['*'] },
  'POST /v1/events': { type: 'payment.succeeded', data: { object: { id: 'pay_sample' } } },
  'POST /v1/event_types': { name: 'isolation.walked' },
  'PATCH /v1/webhooks/endpoints/{id}': { description: 'x' },
  'POST /v1/webhooks/endpoints/{id}/recover': { since: '2026-01-01' },
  'POST /v1/webhooks/endpoints/{id}/replay': { since: '2026-01-01' },
  'POST /v1/webhooks/filters/test': { filter: { type: 'payment.succeeded' } },
  'POST /v1/portal/sessions': { live: false },
  'POST /v1/realtime/negotiate': { purpose: 'events' },
};

let h: TestHookd;
let doc: OpenApiDocument;
let ops: Operation[];
let closedPort: number;
const A = { id: '', test: '', live: '' };
const B = { id: '', test: '', live: '' };
/** Everything that belongs to one workspace and mode and must never reach another: ids, secrets, keys, data. */
const owned = new Map<string, Set<string>>();
/** The bodies and idempotency keys B's objects were created with, per operation, for the replay checks. */
const createdWith = new Map<string, { body: unknown; idem: string }>();
const originals: { label: string; objects: Objects }[] = [];
/** Operations a workspace key may not call at all (403 whatever the ids). */
const platformOnly = new Set<string>();
const walked = new Set<string>();

const caller = (label: string, ws: string, live: boolean, key: string, headers: Record<string, string> = {}): Caller =>
  ({ label, scope: `${ws}:${live ? 'live' : 'test'}`, ws, live, key, headers });
const own = (scope: string, ...values: string[]) => {
  const set = owned.get(scope) ?? new Set<string>();
  for (const v of values) set.add(v);
  owned.set(scope, set);
};

function send(who: Caller, r: Sent): Promise<LightMyRequestResponse> {
  return h.call(r.method, r.url, { key: who.key, body: r.body, headers: { ...who.headers, ...r.headers } });
}

const asked = (from: Caller, r: Sent) => `${r.url}\n${JSON.stringify(r.body ?? '')}\n${JSON.stringify(r.headers ?? {})}\n${JSON.stringify(from.headers)}`;

/**
 * Strings of `target` in the answer that the request did not carry itself. A caller's own
 * objects may hold the target's data on purpose (the replay checks create copies of the
 * target's bodies): strings the caller owns as well are its own.
 */
function leaks(res: LightMyRequestResponse, target: Caller, from: Caller, r: Sent): string[] {
  const answer = `${JSON.stringify(res.headers)}\n${res.body}`;
  const request = asked(from, r);
  const mine = owned.get(from.scope) ?? new Set<string>();
  return [...owned.get(target.scope) ?? []].filter((s) => s !== from.ws && !mine.has(s) && answer.includes(s) && !request.includes(s));
}

/** The objects of a 2xx answer belong to the caller: every `workspace`/`live` field says so. */
function expectOwnedBy(res: LightMyRequestResponse, who: Caller, what: string): void {
  if (!res.body || !String(res.headers['content-type'] ?? '').includes('json')) return;
  const body = res.json() as unknown;
  for (const item of Array.isArray(body) ? body : [body]) {
    if (item === null || typeof item !== 'object') continue;
    const o = item as { workspace?: unknown; live?: unknown };
    if ('workspace' in o) expect(o.workspace, what).toBe(who.ws);
    if ('live' in o) expect(o.live, what).toBe(who.live);
  }
}

function expectRefused(res: LightMyRequestResponse, status: number, what: string): void {
  expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
  expect(res.headers['content-type'], what).toMatch(/^application\/problem\+json/);
}

/** Creates an endpoint, publishes an event to it and finds the delivery record, as `who`. */
async function makeObjects(who: Caller, options: { idempotent?: boolean } = {}): Promise<Objects> {
  const marker = `iso${randomBase62(20)}`;
  const endpointBody = {
    url: `https://127.0.0.1:${closedPort}/${marker}`, events: ['*'], description: `described-${marker}`,
    token: `token-${marker}`, metadata: { note: `meta-${marker}` },
  };
  const eventBody = { type: 'payment.succeeded', data: { object: { id: `pay-${marker}`, secret_note: `data-${marker}` } } };
  const idem = (what: string) => (options.idempotent ? { 'x-idempotency-key': `isolation-${who.label}-${what}` } : undefined);

  const e = await send(who, { method: 'POST', url: '/v1/webhooks/endpoints', body: endpointBody, headers: idem('endpoint') });
  expect(e.statusCode, e.body).toBe(201);
  const endpoint = e.json() as { id: string; secret: string; token: string };
  const ev = await send(who, { method: 'POST', url: '/v1/events', body: eventBody, headers: idem('event') });
  expect(ev.statusCode, ev.body).toBe(201);
  const event = ev.json() as { id: string };
  const d = await send(who, { method: 'GET', url: `/v1/webhooks?event=${event.id}&endpoint=${endpoint.id}` });
  expect(d.statusCode, d.body).toBe(200);
  const delivery = (d.json() as { id: string }[])[0];
  expect(delivery, 'publishing to a subscribed endpoint creates a delivery record').toBeDefined();
  if (options.idempotent) {
    createdWith.set(`${who.label} POST /v1/webhooks/endpoints`, { body: endpointBody, idem: `isolation-${who.label}-endpoint` });
    createdWith.set(`${who.label} POST /v1/events`, { body: eventBody, idem: `isolation-${who.label}-event` });
  }
  own(who.scope, endpoint.id, endpoint.secret, endpoint.token, event.id, delivery!.id, marker, who.ws);
  return { wksp: who.ws, we: endpoint.id, evt: event.id, wh: delivery!.id };
}

/** A body for `op`: its sample (or `{}` when nothing is required), with id fields filled from `ids`. */
function bodyFor(op: Operation, ids: Objects): Record<string, unknown> | undefined {
  if (!op.body) return undefined;
  const props = op.body.properties ?? {};
  const body: Record<string, unknown> = { ...SAMPLES[op.id] };
  for (const [name, schema] of Object.entries(props)) {
    const prefix = idPrefixOf(schema);
    if (prefix !== undefined && (name in body || op.body.required?.includes(name))) body[name] = idOf(ids, prefix, `${op.id} body.${name}`);
  }
  const missing = (op.body.required ?? []).filter((n) => !(n in body));
  if (missing.length > 0) throw new Error(`the isolation walk has no sample for ${op.id} body field(s) ${missing.join(', ')}: add one to SAMPLES`);
  return body;
}

function idOf(ids: Objects, prefix: string, where: string): string {
  if (!(prefix in ids)) throw new Error(`the isolation walk cannot fill ${where}: no object of prefix ${prefix}_ (add it to makeObjects)`);
  return ids[prefix as keyof Objects];
}

/** Body fields that hold ids: each can point at the caller's object or the target's. */
function idFields(op: Operation): string[] {
  return Object.entries(op.body?.properties ?? {}).filter(([, s]) => idPrefixOf(s) !== undefined).map(([n]) => n);
}

function pathValues(op: Operation, ids: Objects): Record<string, string> {
  return Object.fromEntries(op.pathParams.map((p) => {
    const prefix = idPrefixOf(p.schema);
    if (prefix === undefined) throw new Error(`the isolation walk cannot fill {${p.name}} of ${op.id}: not an id (a shared route? say so in isCatalog)`);
    return [p.name, idOf(ids, prefix, `${op.id} {${p.name}}`)];
  }));
}

/**
 * Every request of `op` that reaches for `target`'s objects: each id slot (path parameters, id
 * fields of the body) filled from the caller's objects or the target's, except all the
 * caller's (that one is the control).
 */
function reaching(op: Operation, mine: Objects, theirs: Objects): Sent[] {
  const slots = [...op.pathParams.map((p) => `path:${p.name}`), ...idFields(op).map((f) => `body:${f}`)];
  const out: Sent[] = [];
  for (let mask = 1; mask < 2 ** slots.length; mask++) {
    const pick = (slot: string) => ((mask >> slots.indexOf(slot)) & 1 ? theirs : mine);
    const url = fillPath(op.path, Object.fromEntries(op.pathParams.map((p) => [p.name, pathValues(op, pick(`path:${p.name}`))[p.name]!])));
    const body = bodyFor(op, mine);
    if (body) for (const f of idFields(op)) if (f in body) body[f] = idOf(pick(`body:${f}`), idPrefixOf(op.body!.properties![f])!, `${op.id} body.${f}`);
    out.push({ method: op.method, url, body });
  }
  return out;
}

/** Every page of a list; a GET that takes no `count` (a summary, such as /v1/stats/…) is one page. */
async function listAll(who: Caller, op: Operation): Promise<LightMyRequestResponse[]> {
  const pages: LightMyRequestResponse[] = [];
  const paged = op.query.some((q) => q.name === 'count');
  let ct: string | undefined;
  do {
    const url = paged ? `${op.path}?count=100${ct ? `&ct=${encodeURIComponent(ct)}` : ''}` : op.path;
    const res = await send(who, { method: 'GET', url });
    pages.push(res);
    ct = res.statusCode === 200 ? res.headers['x-continuation-token'] as string | undefined : undefined;
  } while (ct);
  return pages;
}

/** The walk of every /v1 operation by `who` against `target`'s objects. */
async function walk(who: Caller, target: Caller, theirs: Objects): Promise<void> {
  // The caller's own objects, for the controls and for requests that mix the two tenants' ids.
  const mine = await makeObjects(who);
  for (const op of ops) {
    const name = `${who.label} → ${target.label}: ${op.id}`;
    // The platform key may manage every workspace by design; the walk is about what it reaches while acting for one.
    if (who.key === PLATFORM_KEY && platformOnly.has(op.id)) {
      walked.add(op.id);
      continue;
    }
    if (op.pathParams.length > 0) {
      if (isCatalog(op)) {
        walked.add(op.id);
        continue;
      }
      await walkObject(op, who, target, mine, theirs, name);
    } else if (op.method === 'GET') {
      await walkList(op, who, target, theirs, name);
    } else {
      await walkCreate(op, who, target, mine, theirs, name);
    }
    walked.add(op.id);
  }
}

async function walkObject(op: Operation, who: Caller, target: Caller, mine: Objects, theirs: Objects, name: string): Promise<void> {
  const refused = platformOnly.has(op.id) ? 403 : 404;
  if (refused === 404) {
    // A DELETE control destroys what it is given: a fresh set, so later controls still have theirs.
    const subject = op.method === 'DELETE' ? await makeObjects(who) : mine;
    const control = { method: op.method, url: fillPath(op.path, pathValues(op, subject)), body: bodyFor(op, subject) };
    const res = await send(who, control);
    expect(res.statusCode, `${name} on the caller's own objects (control): ${res.body}`).toBeLessThan(300);
    expectOwnedBy(res, who, name);
  }
  for (const r of reaching(op, mine, theirs)) {
    const res = await send(who, r);
    const what = `${name} ${r.url} ${JSON.stringify(r.body ?? '')}`;
    expectRefused(res, refused, what);
    expect(leaks(res, target, who, r), what).toEqual([]);
  }
}

async function walkList(op: Operation, who: Caller, target: Caller, theirs: Objects, name: string): Promise<void> {
  const pages = await listAll(who, op);
  if (platformOnly.has(op.id)) {
    expectRefused(pages[0]!, 403, name);
    return;
  }
  for (const page of pages) {
    expect(page.statusCode, `${name}: ${page.body}`).toBe(200);
    expect(leaks(page, target, who, { method: 'GET', url: op.path }), name).toEqual([]);
    expectOwnedBy(page, who, name);
  }
  // Filters that name the target's objects find nothing.
  for (const q of op.query) {
    const prefix = idPrefixOf(q.schema) ?? idPrefixOf(q.schema.items);
    if (prefix === undefined) continue;
    const r = { method: 'GET', url: `${op.path}?${q.name}=${idOf(theirs, prefix, `${op.id} ?${q.name}`)}` };
    const res = await send(who, r);
    expect(res.statusCode, `${name} ${r.url}: ${res.body}`).toBe(200);
    expect(res.json(), `${name} ${r.url}`).toEqual([]);
    expect(leaks(res, target, who, r), `${name} ${r.url}`).toEqual([]);
  }
}

/**
 * Routes that create: what the caller creates is its own. The request repeats the exact body and
 * X-Idempotency-Key that the target created its objects with, so an idempotency cache shared
 * across tenants would replay the target's answer (with its secret) here.
 */
async function walkCreate(op: Operation, who: Caller, target: Caller, mine: Objects, theirs: Objects, name: string): Promise<void> {
  const replay = createdWith.get(`${target.label} ${op.id}`);
  const requests: Sent[] = idFields(op).length > 0
    ? reaching(op, mine, theirs)
    : [replay ? { method: op.method, url: op.path, body: replay.body, headers: { 'x-idempotency-key': replay.idem } } : { method: op.method, url: op.path, body: bodyFor(op, mine) }];
  for (const r of requests) {
    const res = await send(who, r);
    const what = `${name} ${JSON.stringify(r.body ?? '')}`;
    if (platformOnly.has(op.id)) expectRefused(res, 403, what);
    else if (idFields(op).length > 0) expectRefused(res, 404, what);
    else {
      expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(300);
      expect(res.headers['x-cached-response'], `${what}: replayed another tenant's answer`).toBeUndefined();
      expectOwnedBy(res, who, what);
      expect(leaks(res, target, who, r), what).toEqual([]);
      // The copy is the caller's now: the target's data in it is no leak when a list shows it later.
      const request = asked(who, r);
      own(who.scope, ...[...owned.get(target.scope) ?? []].filter((s) => request.includes(s)));
      continue;
    }
    expect(leaks(res, target, who, r), what).toEqual([]);
  }
}

/**
 * A workspace key with headers that name another workspace or the other mode is refused on
 * every workspace route (403), whatever the ids; only the shared catalog ignores the headers.
 */
async function walkHeaders(who: Caller, target: Caller, theirs: Objects, headers: Record<string, string>): Promise<void> {
  for (const op of ops) {
    const r: Sent = {
      method: op.method,
      url: isCatalog(op) ? fillPath(op.path, { name: 'payment.succeeded' }) : fillPath(op.path, op.pathParams.length ? pathValues(op, theirs) : {}),
      body: bodyFor(op, theirs), headers,
    };
    const res = await send(who, r);
    const what = `${who.label} with ${JSON.stringify(headers)}: ${op.id}`;
    if (isCatalog(op) && !platformOnly.has(op.id)) expect(res.statusCode, `${what}: ${res.body}`).toBeLessThan(500);
    else expectRefused(res, 403, what);
    expect(leaks(res, target, who, r), what).toEqual([]);
    walked.add(op.id);
  }
}

/** What B's objects look like through B's own keys: status, ETag and body. */
async function snapshot(): Promise<string[]> {
  const out: string[] = [];
  for (const { label, objects } of originals) {
    const key = label === 'B.live' ? B.live : B.test;
    for (const url of [`/v1/webhooks/endpoints/${objects.we}`, `/v1/events/${objects.evt}`, `/v1/webhooks/${objects.wh}`]) {
      const res = await h.call('GET', url, { key });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      out.push(`${url} ${res.headers.etag} ${res.body}`);
    }
  }
  const ws = await h.call('GET', `/v1/workspaces/${B.id}`);
  out.push(`${ws.statusCode} ${ws.headers.etag} ${ws.body}`);
  return out;
}

let before: string[];

beforeAll(async () => {
  h = await startHookd();
  // A port nothing listens on: /test and /retry attempts fail at once instead of waiting on a network.
  closedPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
  Object.assign(A, await h.workspace('A'));
  Object.assign(B, await h.workspace('B'));
  own(`${A.id}:test`, A.test);
  own(`${A.id}:live`, A.live);
  own(`${B.id}:test`, B.test);
  own(`${B.id}:live`, B.live);
  const res = await h.call('GET', '/openapi.json', { key: null });
  expect(res.statusCode).toBe(200);
  doc = res.json();
  ops = operations(doc);
  expect(ops.length).toBeGreaterThan(10);

  for (const [label, key, live] of [['B.test', B.test, false], ['B.live', B.live, true]] as const) {
    originals.push({ label, objects: await makeObjects(caller(label, B.id, live, key), { idempotent: true }) });
  }
  // A route a workspace key may not use answers 403 before it looks at ids or body.
  for (const op of ops) {
    const url = isCatalog(op) ? fillPath(op.path, { name: 'payment.succeeded' }) : fillPath(op.path, op.pathParams.length ? pathValues(op, UNKNOWN as unknown as Objects) : {});
    const r = await h.call(op.method, url, { key: A.test, body: op.body ? {} : undefined });
    if (r.statusCode === 403) platformOnly.add(op.id);
  }
  before = await snapshot();
}, 60_000);

afterAll(async () => {
  await h?.close();
});

const bTest = () => originals.find((o) => o.label === 'B.test')!.objects;
const bLive = () => originals.find((o) => o.label === 'B.live')!.objects;

describe('tenant isolation over every /v1 operation of the OpenAPI document', () => {
  it('the walk knows the routes: platform-only ones are the workspace and catalog management', () => {
    expect([...platformOnly].sort()).toEqual(expect.arrayContaining(['GET /v1/workspaces', 'POST /v1/workspaces', 'POST /v1/event_types']));
    for (const op of ops) if (op.body) expect(() => bodyFor(op, bTest())).not.toThrow();
  });

  it("A's test key reaches none of B's test objects", async () => {
    await walk(caller('A.test', A.id, false, A.test), caller('B.test', B.id, false, B.test), bTest());
  });

  it("A's test and live keys reach none of B's live objects", async () => {
    await walk(caller('A.test', A.id, false, A.test), caller('B.live', B.id, true, B.live), bLive());
    await walk(caller('A.live', A.id, true, A.live), caller('B.live', B.id, true, B.live), bLive());
  });

  it("B's test key reaches none of B's live objects, nor its live key B's test objects", async () => {
    await walk(caller('B.test', B.id, false, B.test), caller('B.live', B.id, true, B.live), bLive());
    await walk(caller('B.live', B.id, true, B.live), caller('B.test', B.id, false, B.test), bTest());
  });

  it('the platform key acting for A reaches none of B\'s objects', async () => {
    await walk(caller('platform-as-A', A.id, false, PLATFORM_KEY, { 'x-workspace-id': A.id, 'x-live-mode': 'false' }), caller('B.test', B.id, false, B.test), bTest());
  });

  it("headers naming another workspace or the other mode do not lend a key B's objects", async () => {
    await walkHeaders(caller('A.test', A.id, false, A.test), caller('B.test', B.id, false, B.test), bTest(), { 'x-workspace-id': B.id });
    await walkHeaders(caller('A.test', A.id, false, A.test), caller('B.test', B.id, false, B.test), bTest(), { 'x-workspace-id': B.id, 'x-live-mode': 'false' });
    await walkHeaders(caller('B.test', B.id, false, B.test), caller('B.live', B.id, true, B.live), bLive(), { 'x-live-mode': 'true' });
  });

  it('every /v1 operation of the document was walked', () => {
    expect([...walked].sort()).toEqual(ops.map((o) => o.id).sort());
  });

  it("B's objects are unchanged afterwards (same ETags, same bodies)", async () => {
    expect(await snapshot()).toEqual(before);
  });
});
