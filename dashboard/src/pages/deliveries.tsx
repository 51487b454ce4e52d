/** Deliveries, failed ones first, and recovering an endpoint's failures since a time. */
import { useState } from 'preact/hooks';
import { all, call, post, query, type ApiError } from '../api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { DeliveryCard } from '../components/delivery-card.js';
import { Empty, ErrorBox, Loading } from '../components/states.js';
import { fromLocalInput, toLocalInput, when } from '../format.js';
import { asApiError, useLoad } from '../load.js';
import { announce } from '../notice.js';
import type { Responses, WebhookDelivery, WebhookEndpoint } from '../types.js';

const PAGE = 20;

export function DeliveriesPage() {
  const [endpoint, setEndpoint] = useState('');
  const endpoints = useLoad(() => all<WebhookEndpoint>('/v1/webhooks/endpoints'), []);
  const lists = useLoad(async () => {
    const [failed, recent] = await Promise.all([
      call<WebhookDelivery[]>('GET', `/v1/webhooks${query({ status: 'failed', endpoint, count: PAGE })}`),
      call<WebhookDelivery[]>('GET', `/v1/webhooks${query({ endpoint, count: PAGE })}`),
    ]);
    return { failed: failed.data, recent: recent.data.filter((d) => d.status !== 'failed') };
  }, [endpoint]);
  const urls = new Map((endpoints.data ?? []).map((e) => [e.id, e.url]));

  return (
    <>
      <h1>Deliveries</h1>
      <div class="filters">
        <div class="field">
          <label for="delivery-endpoint">Endpoint</label>
          <select id="delivery-endpoint" value={endpoint} onChange={(e) => setEndpoint(e.currentTarget.value)}>
            <option value="">All endpoints</option>
            {(endpoints.data ?? []).map((e) => <option key={e.id} value={e.id}>{e.url}</option>)}
          </select>
        </div>
      </div>
      {endpoints.data && endpoints.data.length > 0 && <RecoverForm endpoints={endpoints.data} initial={endpoint} onRecovered={lists.reload} />}
      {lists.loading && <Loading what="deliveries" />}
      {lists.error && <ErrorBox error={lists.error} retry={lists.reload} />}
      {lists.data && (
        <>
          <section aria-labelledby="failed-title" class="panel">
            <h2 id="failed-title">Failed</h2>
            {lists.data.failed.length === 0
              ? <Empty title="No failed deliveries" />
              : lists.data.failed.map((d) => <DeliveryCard key={d.id} delivery={d} endpointUrl={urls.get(d.endpoint)} showEvent />)}
          </section>
          <section aria-labelledby="recent-title" class="panel">
            <h2 id="recent-title">Recent</h2>
            {lists.data.recent.length === 0
              ? <Empty title="No other deliveries yet"><p class="muted">Deliveries appear as events are sent to your endpoints.</p></Empty>
              : lists.data.recent.map((d) => <DeliveryCard key={d.id} delivery={d} endpointUrl={urls.get(d.endpoint)} showEvent />)}
          </section>
        </>
      )}
    </>
  );
}

function RecoverForm({ endpoints, initial, onRecovered }: { endpoints: WebhookEndpoint[]; initial: string; onRecovered: () => void }) {
  const [target, setTarget] = useState(initial);
  const [since, setSince] = useState(toLocalInput(new Date(Date.now() - 86_400_000)));
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const chosen = target || initial || endpoints[0]!.id;
  const url = endpoints.find((e) => e.id === chosen)?.url;

  async function recover() {
    setConfirming(false);
    setError(null);
    try {
      const { recovered } = await post<Responses['POST /v1/webhooks/endpoints/{id}/recover']>(`/v1/webhooks/endpoints/${chosen}/recover`, { since: fromLocalInput(since) });
      announce(recovered === 0 ? 'No failed deliveries to recover in that span.' : `${recovered} failed deliver${recovered === 1 ? 'y was' : 'ies were'} queued again.`);
      onRecovered();
    } catch (err) {
      setError(asApiError(err));
    }
  }

  return (
    <section aria-labelledby="recover-title" class="panel">
      <h2 id="recover-title">Recover failed deliveries</h2>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setConfirming(true); }}>
        <div class="field">
          <label for="recover-endpoint">Endpoint</label>
          <select id="recover-endpoint" value={chosen} onChange={(e) => setTarget(e.currentTarget.value)}>
            {endpoints.map((e) => <option key={e.id} value={e.id}>{e.url}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="recover-since">Failed since</label>
          <input id="recover-since" type="datetime-local" value={since} required onInput={(e) => setSince(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={!since}>Recover…</button>
      </form>
      {error && <ErrorBox error={error} />}
      {confirming && (
        <ConfirmDialog title="Recover failed deliveries?" confirm="Recover" onConfirm={recover} onCancel={() => setConfirming(false)}>
          <p>Every failed delivery to <strong class="url">{url}</strong> since {when(fromLocalInput(since))} is queued again and sent with a fresh retry schedule.</p>
        </ConfirmDialog>
      )}
    </section>
  );
}
