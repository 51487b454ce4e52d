/**
 * A made-up day of traffic for the README's charts screenshot (`npm run screenshots`): the
 * browser tests run on the real clock, so the hours before they started hold nothing to draw.
 * Written through the store, as the dispatcher would have written it.
 */
import { newId, randomToken } from '../src/domain/ids.js';
import type { Store } from '../src/store/types.js';

const HOUR = 3_600_000;

export async function seedHistory(store: Store, workspace: string, endpoints: string[]): Promise<void> {
  const now = Date.now();
  for (let hoursAgo = 23; hoursAgo >= 1; hoursAgo--) {
    // A daily rhythm, a bad hour in the afternoon, and latencies that follow the load.
    const load = Math.round(12 + 9 * Math.sin((hoursAgo / 24) * 2 * Math.PI));
    const failures = hoursAgo === 7 ? 6 : hoursAgo % 5 === 0 ? 1 : 0;
    for (let i = 0; i < load; i++) {
      const at = now - hoursAgo * HOUR + i * 60_000;
      const endpoint = endpoints[i % endpoints.length]!;
      const delivery = newId('wh', at);
      const ok = i >= failures;
      await store.insertDelivery({
        id: delivery, event: newId('evt', at), endpoint, workspace, live: false, type: 'payment.succeeded', status: 'pending',
        attemptCount: 0, nextAttemptAt: null, lastAttemptAt: null, created: at, updated: at, etag: randomToken(), attempts: [], replayed: false, sequence: null,
      });
      const time = Math.round(40 + load * 4 + ((i * 37) % 60) + (ok ? 0 : 900));
      await store.recordResults([{
        delivery, workspace, live: false, endpoint, status: ok ? 'succeeded' : 'failed', nextAttemptAt: null, etag: randomToken(), disableEndpoint: false,
        attempt: {
          id: newId('wha', at), delivery, manual: false, url: 'https://example.com/hooks', attempted: at, request: '{}',
          code: ok ? 200 : 503, response: ok ? 'ok' : 'unavailable', time, successful: ok, error: null,
        },
      }], at);
    }
  }
}
