import { describe, expect, it } from 'vitest';
import type { HookdEvent } from '../domain/types.js';
import { serialisePayload } from './payload.js';

const event: HookdEvent = {
  id: 'evt_0VcH4uJPcae3MwzgN0Myzsz3', workspace: 'wksp_0VcH4uGQB1T5SwO4VxTWJ9BT', live: true, type: 'payment.refund.failed',
  data: { object: { id: 'pa_1', amount: 1000 }, previous: { amount: 900 } }, requestId: 'req_0VcH4uJKtVDDp0aOXdMTrH9P',
  idempotencyKey: 'k1', redaction: null, created: Date.UTC(2026, 0, 2, 3, 4, 5, 6), updated: 0, etag: 'x',
};

describe('payload formats', () => {
  it('basic is the event object', () => {
    expect(JSON.parse(serialisePayload(event, 'basic', 'io.falu.'))).toEqual({
      id: event.id, type: 'payment.refund.failed', created: '2026-01-02T03:04:05.006Z',
      data: { object: { id: 'pa_1', amount: 1000 }, previous: { amount: 900 } },
      request: { id: 'req_0VcH4uJKtVDDp0aOXdMTrH9P', idempotency_key: 'k1' }, workspace: event.workspace, live: true,
    });
  });

  it.each([['io.falu.', 'io.falu.payment.refund.failed'], ['com.example.', 'com.example.payment.refund.failed'], ['', 'payment.refund.failed']])(
    'cloud_events is CloudEvents 1.0 structured JSON with type prefix %j', (prefix, type) => {
      expect(JSON.parse(serialisePayload(event, 'cloud_events', prefix))).toEqual({
        specversion: '1.0', id: event.id, time: '2026-01-02T03:04:05.006Z', source: `/workspaces/${event.workspace}`, type,
        datacontenttype: 'application/json', workspace: event.workspace, live: true,
        data: { object: { id: 'pa_1', amount: 1000 }, previous: { amount: 900 } },
      });
    });

  it('builds one body per event object, format and prefix, shared by the deliveries that send it', () => {
    const copy = { ...event, data: { object: { id: 'pa_2' } } };
    const basic = serialisePayload(copy, 'basic', 'io.falu.');
    expect(serialisePayload(copy, 'basic', 'com.example.')).toBe(basic); // the prefix is only CloudEvents'
    const ce = serialisePayload(copy, 'cloud_events', 'io.falu.');
    expect(serialisePayload(copy, 'cloud_events', 'io.falu.')).toBe(ce);
    expect(JSON.parse(serialisePayload(copy, 'cloud_events', 'x.')).type).toBe('x.payment.refund.failed');
    expect(JSON.parse(basic).data).toEqual({ object: { id: 'pa_2' } });
  });
});
