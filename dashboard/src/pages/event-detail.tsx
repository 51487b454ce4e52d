/** One event: its payload, every delivery with its attempts, and a re-send to one endpoint. */
import { useState } from 'preact/hooks';
import { all, get, post, type ApiError } from '../api.js';
import { AttemptView } from '../components/attempt-view.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { DeliveryCard } from '../components/delivery-card.js';
import { Empty, ErrorBox, Loading } from '../components/states.js';
import { when } from '../format.js';
import { asApiError, useLoad } from '../load.js';
import type { Event as HookdEvent, WebhookAttempt, WebhookDelivery, WebhookEndpoint } from '../types.js';

export function EventDetailPage({ id }: { id: string }) {
  const loaded = useLoad(async () => {
    const [event, deliveries, endpoints] = await Promise.all([
      get<HookdEvent>(`/v1/events/${id}`), all<WebhookDelivery>(`/v1/webhooks?event=${id}`), all<WebhookEndpoint>('/v1/webhooks/endpoints'),
    ]);
    return { event, deliveries, endpoints };
  }, [id]);
  const [target, setTarget] = useState('');
  const [confirming, setConfirming] = useState(false);
  const [attempt, setAttempt] = useState<WebhookAttempt | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  if (loaded.loading && !loaded.data) return <Loading what="the event" />;
  if (loaded.error) return <ErrorBox error={loaded.error} retry={loaded.reload} />;
  const { event, deliveries, endpoints } = loaded.data!;
  const urls = new Map(endpoints.map((e) => [e.id, e.url]));
  const chosen = target || endpoints[0]?.id || '';

  async function retry() {
    setConfirming(false);
    setError(null);
    try {
      setAttempt(await post<WebhookAttempt>(`/v1/events/${id}/retry`, { webhook_endpoint: chosen }));
      loaded.reload();
    } catch (err) {
      setError(asApiError(err));
    }
  }

  return (
    <>
      <p><a href="#/events">← Events</a></p>
      <h1><code>{event.type}</code></h1>
      <dl class="facts">
        <dt>Id</dt><dd><code>{event.id}</code></dd>
        <dt>Created</dt><dd>{when(event.created)}</dd>
        <dt>Request</dt><dd><code>{event.request.id}</code></dd>
      </dl>
      <section aria-labelledby="payload-title" class="panel">
        <h2 id="payload-title">Payload</h2>
        <pre tabIndex={0} aria-label="Event payload">{JSON.stringify(event.data, null, 2)}</pre>
      </section>
      <section aria-labelledby="deliveries-title" class="panel">
        <h2 id="deliveries-title">Deliveries</h2>
        {deliveries.length === 0
          ? <Empty title="No deliveries"><p class="muted">No enabled endpoint was subscribed to this type when it was published.</p></Empty>
          : deliveries.map((d) => <DeliveryCard key={d.id} delivery={d} endpointUrl={urls.get(d.endpoint)} />)}
      </section>
      <section aria-labelledby="retry-title" class="panel">
        <h2 id="retry-title">Send again</h2>
        {endpoints.length === 0 ? <p class="muted">Add an endpoint first.</p> : (
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setConfirming(true); }}>
            <div class="field">
              <label for="retry-endpoint">Endpoint</label>
              <select id="retry-endpoint" value={chosen} onChange={(e) => setTarget(e.currentTarget.value)}>
                {endpoints.map((e) => <option key={e.id} value={e.id}>{e.url}</option>)}
              </select>
            </div>
            <button type="submit">Send now</button>
          </form>
        )}
        <div aria-live="polite">{attempt && <AttemptView attempt={attempt} open />}</div>
        {error && <ErrorBox error={error} />}
      </section>
      {confirming && (
        <ConfirmDialog title="Send this event again?" confirm="Send now" onConfirm={retry} onCancel={() => setConfirming(false)}>
          <p>hookd sends <code>{event.id}</code> to <strong class="url">{urls.get(chosen)}</strong> now, signed as usual.</p>
        </ConfirmDialog>
      )}
    </>
  );
}
