/**
 * Falu's .NET SDK (faluapp/falu-dotnet, FaluSdk) against hookd, request by request, as it
 * writes them (docs/api.md, "Falu's SDKs"). Every request (falu-dotnet/src/FaluSdk/Core/BaseServiceClient.cs,
 * RequestCoreAsync): `X-Falu-Version: 2022-09-01` (FaluClientOptions.ApiVersion), `Accept:
 * application/json`, `Authorization: Bearer <key>`, on POST and PATCH a fresh GUID as
 * `X-Idempotency-Key`, and `X-Workspace-Id`/`X-Live-Mode` (lowercase `true`/`false`) only when
 * the RequestOptions set them. Bodies: System.Text.Json with web defaults (camelCase) and
 * WhenWritingNull, as `application/json; charset=utf-8` without a length (Core/FaluJsonContent.cs),
 * so HttpClient sends them chunked. No User-Agent unless FaluClientOptions.Application is set.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { publish, sdkServer, type Problem, type RawRequest } from './raw-http.js';

const s = sdkServer();

/** RequestCoreAsync's headers, in its order; `extra` (X-Live-Mode…) follow as it adds them. */
function dotnet(method: string, target: string, body?: string, extra: [string, string][] = []): RawRequest {
  const headers: [string, string][] = [['X-Falu-Version', '2022-09-01'], ['Accept', 'application/json'], ['Authorization', `Bearer ${s.ws.test}`]];
  if (method === 'POST' || method === 'PATCH') headers.push(['X-Idempotency-Key', randomUUID()]);
  headers.push(...extra);
  if (body === undefined) return { method, target, headers };
  headers.push(['Content-Type', 'application/json; charset=utf-8'], ['Transfer-Encoding', 'chunked']);
  return { method, target, headers, body, chunked: true };
}

/** What WebhookEndpoint (falu-dotnet/src/FaluSdk/Webhooks/WebhookEndpoint.cs) reads. */
interface Endpoint { id: string; url: string; events: string[]; description: string | null; status: string; format: string; secret: string; metadata: Record<string, string>; created: string; updated: string; etag: string; workspace: string; live: boolean }

describe("Falu's .NET SDK: webhook endpoints (falu-dotnet/src/FaluSdk/Webhooks/WebhooksServiceClient.cs)", () => {
  let id = '';

  it('CreateAsync: POST /v1/webhooks/endpoints with a WebhookEndpointCreateRequest is 201 with the endpoint and its secret whole', async () => {
    // WebhookEndpointCreateRequest: Format, then the patch model's Events, Description, Status (an enum, always written), Url; Metadata null is left out.
    const res = await s.send(dotnet('POST', '/v1/webhooks/endpoints',
      '{"format":"basic","events":["customer.created","customer.updated"],"description":"Orders service","status":"enabled","url":"https://example.com/hooks/falu"}'));
    expect(res.status, res.body).toBe(201);
    // DeserializeAsync accepts the answer only when its media type is one it knows (application/json).
    expect(res.headers['content-type']?.split(';')[0]).toBe('application/json');
    const e = res.json<Endpoint>();
    expect(e).toMatchObject({ url: 'https://example.com/hooks/falu', events: ['customer.created', 'customer.updated'], description: 'Orders service', status: 'enabled', format: 'basic', workspace: s.ws.id, live: false });
    expect(e.secret).toMatch(/^fwhs_[A-Za-z0-9+/=]{40,}$/);
    expect(e.created).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    id = e.id;
  });

  it('ListAsync with Count and Sorting: GET ?sort=desc&count=1 is a bare array, the next page in X-Continuation-Token', async () => {
    await s.send(dotnet('POST', '/v1/webhooks/endpoints', '{"events":["*"],"status":"enabled","url":"https://example.com/hooks/second"}'));
    // QueryValues (Core/QueryValues.cs) writes sort, count, ct, then created.* and updated.* in "O" format, UrlEncoder-escaped.
    const first = await s.send(dotnet('GET', '/v1/webhooks/endpoints?sort=desc&count=1'));
    expect(first.status, first.body).toBe(200);
    expect(first.json<Endpoint[]>()).toHaveLength(1);
    const ct = first.headers['x-continuation-token'];
    expect(ct).toBeTruthy();
    // ListRecursivelyAsync sends the token back as ct, nothing else changed.
    const next = await s.send(dotnet('GET', `/v1/webhooks/endpoints?sort=desc&count=1&ct=${encodeURIComponent(ct!)}`));
    expect(next.status, next.body).toBe(200);
    expect(next.json<Endpoint[]>().map((x) => x.id)).not.toContain(first.json<Endpoint[]>()[0]!.id);
  });

  it('ListAsync with Created and Updated ranges: the "O" format (seven fraction digits, +00:00, escaped) filters', async () => {
    const after = '2026-01-15T11%3A00%3A00.0000000%2B00%3A00';
    const before = '2026-01-15T13%3A00%3A00.0000000%2B00%3A00';
    const res = await s.send(dotnet('GET', `/v1/webhooks/endpoints?created.gte=${after}&created.lt=${before}&updated.gte=${after}`));
    expect(res.status, res.body).toBe(200);
    expect(res.json<Endpoint[]>().map((e) => e.id)).toContain(id);
    const none = await s.send(dotnet('GET', `/v1/webhooks/endpoints?updated.lt=${after}`));
    expect(none.status, none.body).toBe(200);
    expect(none.json<Endpoint[]>()).toEqual([]);
  });

  it('GetAsync: GET /v1/webhooks/endpoints/{id} is 200 with the endpoint, its secret masked', async () => {
    const res = await s.send(dotnet('GET', `/v1/webhooks/endpoints/${id}`));
    expect(res.status, res.body).toBe(200);
    expect(res.json<Endpoint>()).toMatchObject({ id, url: 'https://example.com/hooks/falu' });
    expect(res.json<Endpoint>().secret).toMatch(/^fwhs_\*+/);
  });

  it('UpdateAsync with a JsonPatchDocument: an array of RFC 6902 operations as application/json, null values left out', async () => {
    // Tingle.Extensions.JsonPatch writes the operations (value, path, op; `from` only when set):
    // Replace(x => x.Description, "…"), Add(x => x.Events, …) at "/events/-", Replace(x => x.Metadata, …).
    const patch = '[{"value":"Payments service","path":"/description","op":"replace"},{"value":"customer.redacted","path":"/events/-","op":"add"},{"value":{"team":"payments"},"path":"/metadata","op":"replace"}]';
    const res = await s.send(dotnet('PATCH', `/v1/webhooks/endpoints/${id}`, patch));
    expect(res.status, res.body).toBe(200);
    expect(res.json<Endpoint>()).toMatchObject({ description: 'Payments service', events: ['customer.created', 'customer.updated', 'customer.redacted'], metadata: { team: 'payments' } });
    // Replace(x => x.Description, null): WhenWritingNull drops `value`, which clears the field.
    const cleared = await s.send(dotnet('PATCH', `/v1/webhooks/endpoints/${id}`, '[{"path":"/description","op":"replace"},{"path":"/metadata/team","op":"remove"}]'));
    expect(cleared.status, cleared.body).toBe(200);
    expect(cleared.json<Endpoint>()).toMatchObject({ description: null, metadata: {} });
  });

  it('UpdateAsync retried with the same X-Idempotency-Key replays the first answer, even when its test no longer holds', async () => {
    const request = dotnet('PATCH', `/v1/webhooks/endpoints/${id}`, '[{"value":"enabled","path":"/status","op":"test"},{"value":"disabled","path":"/status","op":"replace"}]');
    const first = await s.send(request);
    expect(first.status, first.body).toBe(200);
    const retried = await s.send(request);
    expect(retried.status, retried.body).toBe(200);
    expect(retried.headers['x-cached-response']).toBe('true');
    expect(retried.json<Endpoint>().status).toBe('disabled');
  });

  it('an error answer carries what FaluError reads: title, detail, traceId and errors by field', async () => {
    const res = await s.send(dotnet('POST', '/v1/webhooks/endpoints', '{"events":["no.such.type"],"status":"enabled","url":"https://example.com/x"}'));
    expect(res.status, res.body).toBe(400);
    expect(res.headers['content-type']?.split(';')[0]).toBe('application/problem+json');
    const p = res.json<Problem>();
    expect(p.title).toBeTruthy();
    expect(p.traceId).toBe(res.headers['x-request-id']);
    expect(Object.keys(p.errors ?? {})).toContain('events');
  });

  it('DeleteAsync: DELETE /v1/webhooks/endpoints/{id}, no body and no idempotency key, is 204', async () => {
    const res = await s.send(dotnet('DELETE', `/v1/webhooks/endpoints/${id}`));
    expect(res.status, res.body).toBe(204);
    expect((await s.send(dotnet('GET', `/v1/webhooks/endpoints/${id}`))).status).toBe(404);
  });

  it('RequestOptions.Live = false adds X-Live-Mode: false (Boolean.ToString().ToLowerInvariant())', async () => {
    const res = await s.send(dotnet('GET', '/v1/webhooks/endpoints?count=1', undefined, [['X-Live-Mode', 'false']]));
    expect(res.status, res.body).toBe(200);
  });
});

describe("Falu's .NET SDK: events (falu-dotnet/src/FaluSdk/Events/EventsServiceClient.cs)", () => {
  it('ListAsync with Type: each type its own type= parameter (QueryValues.Add of a list), and GetAsync', async () => {
    const created = await publish(s, 'customer.created', { id: 'cus_1' });
    const updated = await publish(s, 'customer.updated', { id: 'cus_1', name: 'A' });
    await publish(s, 'customer.redacted', { id: 'cus_2' });
    const res = await s.send({ ...dotnetGet('/v1/events?count=10&type=customer.created&type=customer.updated') });
    expect(res.status, res.body).toBe(200);
    expect(res.json<{ id: string }[]>().map((e) => e.id).sort()).toEqual([created, updated].sort());
    const one = await s.send(dotnetGet(`/v1/events/${updated}`));
    expect(one.status, one.body).toBe(200);
    // WebhookEvent: id, type, created, updated, data {object, previous}, workspace, live.
    expect(one.json()).toMatchObject({ id: updated, type: 'customer.updated', data: { object: { id: 'cus_1', name: 'A' } }, workspace: s.ws.id, live: false });
  });

  const dotnetGet = (target: string) => dotnet('GET', target);
});
