/**
 * What accepting Falu's SDKs must not open (docs/api.md, "Falu's SDKs"): a spelling close to
 * theirs is still a 4xx naming what is wrong, never a silent default, and a JSON Patch that
 * does not apply changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { problem, startHookd, type TestHookd } from '../helpers.js';

let h: TestHookd;
let ws: { id: string; test: string; live: string };
let endpoint: { id: string; etag: string };

beforeAll(async () => {
  h = await startHookd();
  ws = await h.workspace();
  const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/hooks', events: ['customer.created'], description: 'kept', token: 'secret-token' } });
  endpoint = res.json();
});
afterAll(() => h.close());

/** The problem's status and the fields it names. */
async function refused(method: string, url: string, options: Parameters<TestHookd['call']>[2], status: number, field: string): Promise<void> {
  const res = await h.call(method, url, { key: ws.test, ...options });
  expect(res.statusCode, res.body).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(Object.keys(problem(res).errors ?? {}), res.body).toContain(field);
}

const PATH = () => `/v1/webhooks/endpoints/${endpoint.id}`;

describe('headers and media types', () => {
  it.each([
    ['X-Live-Mode: yes', { 'x-live-mode': 'yes' }, 400, 'X-Live-Mode'],
    ['X-Live-Mode: 1', { 'x-live-mode': '1' }, 400, 'X-Live-Mode'],
    ['X-Falu-Version: latest', { 'x-falu-version': 'latest' }, 400, 'X-Falu-Version'],
    ['X-Falu-Version: 2022-02-30', { 'x-falu-version': '2022-02-30' }, 400, 'X-Falu-Version'],
  ])('%s is refused', async (_name, headers, status, field) => {
    await refused('GET', '/v1/webhooks/endpoints', { headers }, status, field);
  });

  it('X-Falu-Version of any SDK, and a newer date, are accepted alike', async () => {
    for (const version of ['2022-05-01', '2022-09-01', '2030-01-01']) {
      const res = await h.call('GET', '/v1/webhooks/endpoints', { key: ws.test, headers: { 'x-falu-version': version } });
      expect(res.statusCode, version).toBe(200);
    }
  });

  it.each([
    ['charset=latin1', 'application/json; charset=latin1', 415],
    ['charset=utf-16', 'application/json; charset=utf-16', 415],
    ['an empty charset', 'application/json; charset=', 415],
  ])('a body declared %s is 415 naming content-type', async (_name, contentType, status) => {
    await refused('POST', '/v1/webhooks/endpoints', { body: { url: 'https://example.com/x', events: ['*'] }, headers: { 'content-type': contentType } }, status, 'content-type');
  });

  it('charset=UTF-8 in any case is accepted', async () => {
    const res = await h.call('POST', '/v1/webhooks/endpoints', { key: ws.test, body: { url: 'https://example.com/utf8', events: ['*'] }, headers: { 'content-type': 'application/json; Charset="UTF-8"' } });
    expect(res.statusCode, res.body).toBe(201);
    await h.call('DELETE', `/v1/webhooks/endpoints/${res.json().id}`, { key: ws.test });
  });

  it('the patch media types are for PATCH only', async () => {
    for (const type of ['application/json-patch+json', 'application/merge-patch+json']) {
      await refused('POST', '/v1/webhooks/endpoints', { body: { url: 'https://example.com/x', events: ['*'] }, headers: { 'content-type': type } }, 415, 'content-type');
    }
  });

  it('an empty body is still a 400 on POST and PATCH (only a DELETE has none to read)', async () => {
    await refused('POST', '/v1/webhooks/endpoints', { body: '', headers: { 'content-type': 'application/json' } }, 400, 'body');
    await refused('PATCH', PATH(), { body: '', headers: { 'content-type': 'application/json' } }, 400, 'body');
  });
});

describe('JSON Patch on an endpoint', () => {
  /** The endpoint as stored, to show a refused patch changed nothing. */
  const snapshot = async () => (await h.call('GET', PATH(), { key: ws.test })).body;

  it.each([
    ['an object sent as application/json-patch+json', { description: 'x' }, 'application/json-patch+json', 400, 'body'],
    ['an array sent as application/merge-patch+json', [{ op: 'replace', path: '/description', value: 'x' }], 'application/merge-patch+json', 400, 'body'],
    ['an unknown op', [{ op: 'merge', path: '/description', value: 'x' }], 'application/json', 400, '0.op'],
    ['a field that cannot be changed', [{ op: 'replace', path: '/secret', value: 'fwhs_mine' }], 'application/json', 400, '0.path'],
    ['the whole document', [{ op: 'replace', path: '', value: {} }], 'application/json', 400, '0.path'],
    ['a test that reads the write-only token', [{ op: 'test', path: '/token', value: 'secret-token' }], 'application/json', 400, '0.path'],
    ['a copy out of the token', [{ op: 'copy', from: '/token', path: '/description' }], 'application/json', 400, '0.from'],
    ['removing url, which cannot be cleared', [{ op: 'remove', path: '/url' }], 'application/json', 400, 'url'],
    ['a value the merge patch refuses too', [{ op: 'add', path: '/events/-', value: 'no.such.type' }], 'application/json', 400, 'events'],
    ['a metadata key that is not there', [{ op: 'remove', path: '/metadata/nope' }], 'application/json', 422, '0.path'],
    ['a test that fails (the state is not the one expected)', [{ op: 'test', path: '/description', value: 'other' }, { op: 'replace', path: '/description', value: 'changed' }], 'application/json', 409, '0.value'],
    ['the second of two operations failing', [{ op: 'replace', path: '/description', value: 'changed' }, { op: 'remove', path: '/events/5' }], 'application/json-patch+json', 422, '1.path'],
  ])('%s: refused, nothing changed', async (_name, body, contentType, status, field) => {
    const before = await snapshot();
    await refused('PATCH', PATH(), { body, headers: { 'content-type': contentType } }, status, field);
    expect(await snapshot()).toBe(before);
  });

  it('If-Match still guards a JSON Patch: a stale ETag is 412', async () => {
    await refused('PATCH', PATH(), { body: [{ op: 'replace', path: '/description', value: 'x' }], headers: { 'if-match': '"stale"' } }, 412, 'If-Match');
  });
});

describe('list parameters', () => {
  it.each([
    ['updated.gte=yesterday', 'updated.gte'],
    ['updated.eq=2026-02-30', 'updated.eq'],
    ['type=customer.created,,customer.updated', 'type.1'],
    ['type=Customer.Created', 'type.0'],
    ['live=true', 'live'],
  ])('?%s is a 400 naming %s', async (query, field) => {
    await refused('GET', `/v1/events?${query}`, {}, 400, field);
  });
});
