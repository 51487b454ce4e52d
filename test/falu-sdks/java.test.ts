/**
 * Falu's Java SDK (faluapp/falu-java) against hookd, request by request, as OkHttp writes
 * them (docs/api.md, "Falu's SDKs"). falu-java/src/main/java/io/falu/networking/FaluApiClient.java
 * (buildRequest) sets `X-Live-Mode` on every request (`String.valueOf(live)`: `false`), and
 * `X-Workspace-Id`/`X-Idempotency-Key` only when the RequestOptions have them; the
 * interceptors add `Authorization: Bearer <key>` (client/headers/AuthenticationHeaderProvider.java)
 * and `X-Falu-Version: 2022-05-01` (networking/AppDetailsInterceptor.java); OkHttp's bridge adds
 * Content-Type, Content-Length, Connection, `Accept-Encoding: gzip` and its User-Agent. Bodies are
 * Gson (field names as declared, subclass fields first, nulls left out) as
 * `application/json; charset=utf-8` (client/AbstractHttpApiClient.java, MEDIA_TYPE_JSON).
 */
import { describe, expect, it } from 'vitest';
import { publish, sdkServer, type Problem, type RawRequest } from './raw-http.js';

const s = sdkServer();

function java(method: string, target: string, body?: string): RawRequest {
  const headers: [string, string][] = [['X-Live-Mode', 'false'], ['Authorization', `Bearer ${s.ws.test}`], ['X-Falu-Version', '2022-05-01']];
  if (body !== undefined) headers.push(['Content-Type', 'application/json; charset=utf-8'], ['Content-Length', String(Buffer.byteLength(body))]);
  else if (method === 'DELETE') headers.push(['Content-Length', '0']); // OkHttp's delete() sends an empty body
  headers.push(['Connection', 'Keep-Alive'], ['Accept-Encoding', 'gzip'], ['User-Agent', 'okhttp/4.12.0']);
  return { method, target, headers, body };
}

interface Endpoint { id: string; url: string; events: string[]; description: string | null; status: string; format: string; secret: string; token: string | null; metadata: Record<string, string> }

describe("Falu's Java SDK: webhook endpoints (FaluApiClient.java, region Webhook Endpoints)", () => {
  let id = '';

  it('createWebhookEndpoint: WebhookEndpointCreateRequest as Gson writes it is 201', async () => {
    // models/webhooks/WebhookEndpointCreateRequest.java: format, events, url, status, token; then AbstractCreationRequest's description, metadata.
    const res = await s.send(java('POST', '/v1/webhooks/endpoints',
      '{"format":"basic","events":["customer.created"],"url":"https://example.com/hooks/java","token":"mF_9.B5f-4.1JqM","description":"Billing"}'));
    expect(res.status, res.body).toBe(201);
    const e = res.json<Endpoint>();
    expect(e).toMatchObject({ url: 'https://example.com/hooks/java', events: ['customer.created'], description: 'Billing', format: 'basic', status: 'enabled', token: 'mF_9.B5f-4.1JqM' });
    id = e.id;
  });

  it('getWebhookEndpoints with count, sort and created.gte: ISO8601Utils dates, added unencoded', async () => {
    // common/QueryValues.java: a HashMap, so any order; sort is a String[] joined with commas.
    const res = await s.send(java('GET', '/v1/webhooks/endpoints?created.gte=2026-01-15T11:00:00Z&count=5&sort=desc'));
    expect(res.status, res.body).toBe(200);
    expect(res.json<Endpoint[]>().map((e) => e.id)).toEqual([id]);
  });

  it('getWebhookEndpoint is 200', async () => {
    const res = await s.send(java('GET', `/v1/webhooks/endpoints/${id}`));
    expect(res.status, res.body).toBe(200);
    expect(res.json<Endpoint>()).toMatchObject({ id, description: 'Billing' });
  });

  it('updateWebhookEndpoint: the JsonPatchDocument\'s operations as Gson writes them (path, value, then op; a null value left out)', async () => {
    // client/patch/operations/ReplaceOperation.java: fields path and value, op in the superclass.
    const res = await s.send(java('PATCH', `/v1/webhooks/endpoints/${id}`, '[{"path":"/description","value":"Billing v2","op":"replace"},{"path":"/token","op":"replace"}]'));
    expect(res.status, res.body).toBe(200);
    expect(res.json<Endpoint>()).toMatchObject({ description: 'Billing v2', token: null });
  });

  it('updateWebhookEndpoint with a RemoveOperation: the SDK drops its path ({"op":"remove"}), a 400 naming 0.path, as on Falu', async () => {
    // RemoveOperation.java's constructor does not keep its path; Falu's server cannot apply it either.
    const res = await s.send(java('PATCH', `/v1/webhooks/endpoints/${id}`, '[{"op":"remove"}]'));
    expect(res.status, res.body).toBe(400);
    // AbstractHttpApiClient reads a 400's body as HttpResponseProblem: type, title, detail, instance, errors.
    const p = res.json<Problem>();
    expect(p).toMatchObject({ type: 'urn:hookd:problem:validation_failed', status: 400, instance: `/v1/webhooks/endpoints/${id}` });
    expect(p.title).toBeTruthy();
    expect(p.errors).toHaveProperty(['0.path']);
  });

  it('deleteWebhookEndpoint: DELETE with an empty body is 204', async () => {
    const res = await s.send(java('DELETE', `/v1/webhooks/endpoints/${id}`));
    expect(res.status, res.body).toBe(204);
  });
});

describe("Falu's Java SDK: events (FaluApiClient.java getWebhookEvents, getWebhookEvent)", () => {
  it('getWebhookEvents with EventListOptions.type: the types joined with commas in one type= parameter', async () => {
    const a = await publish(s, 'customer.created', { id: 'cus_j1' });
    const b = await publish(s, 'customer.updated', { id: 'cus_j1' });
    await publish(s, 'customer.redacted', { id: 'cus_j2' });
    // models/events/EventListOptions.java → QueryValues.add(String, String[]) → String.join(",", …).
    const res = await s.send(java('GET', '/v1/events?type=customer.created,customer.updated&count=10'));
    expect(res.status, res.body).toBe(200);
    expect(res.json<{ id: string }[]>().map((e) => e.id).sort()).toEqual([a, b].sort());
  });

  it('getWebhookEvent asks for /v1/event/{id} (singular): 404 problem, as on Falu, whose path is /v1/events/{id}', async () => {
    const id = await publish(s, 'customer.created', { id: 'cus_j3' });
    const wrong = await s.send(java('GET', `/v1/event/${id}`));
    expect(wrong.status, wrong.body).toBe(404);
    expect(wrong.headers['content-type']).toMatch(/^application\/problem\+json/);
    const right = await s.send(java('GET', `/v1/events/${id}`));
    expect(right.status, right.body).toBe(200);
    expect(right.json()).toMatchObject({ id, type: 'customer.created', data: { object: { id: 'cus_j3' } } });
  });
});
