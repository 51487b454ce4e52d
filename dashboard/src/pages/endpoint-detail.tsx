/** One endpoint: its settings, enable/disable, delete, secret, a test send, a replay of what it missed, and its charts. */
import { useEffect, useState } from 'preact/hooks';
import { del, get, patch, type ApiError } from '../api.js';
import { ConfirmDialog } from '../components/confirm-dialog.js';
import { PublicKey } from '../components/delivery-fields.js';
import { DeliveryCharts } from '../components/delivery-charts.js';
import { FilterPanel } from '../components/filter-panel.js';
import { ReplayPanel } from '../components/replay-panel.js';
import { SecretPanel } from '../components/secret-panel.js';
import { ErrorBox, Loading, StatusBadge } from '../components/states.js';
import { TestPanel } from '../components/test-panel.js';
import { when } from '../format.js';
import { asApiError, useLoad } from '../load.js';
import { announce } from '../notice.js';
import { navigate } from '../router.js';
import type { WebhookEndpoint } from '../types.js';

export function EndpointDetailPage({ id }: { id: string }) {
  const loaded = useLoad(() => get<WebhookEndpoint>(`/v1/webhooks/endpoints/${id}`), [id]);
  const [endpoint, setEndpoint] = useState<WebhookEndpoint | null>(null);
  const [confirming, setConfirming] = useState<'delete' | 'status' | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  useEffect(() => setEndpoint(loaded.data ?? null), [loaded.data]);

  if (loaded.loading && !endpoint) return <Loading what="the endpoint" />;
  if (loaded.error) return <ErrorBox error={loaded.error} retry={loaded.reload} />;
  if (!endpoint) return null;
  const enabling = endpoint.status === 'disabled';

  async function act(what: 'delete' | 'status') {
    setConfirming(null);
    setError(null);
    try {
      if (what === 'delete') {
        await del(`/v1/webhooks/endpoints/${id}`, endpoint!.etag);
        announce('Endpoint deleted.', '/endpoints');
        navigate('/endpoints');
      } else {
        setEndpoint(await patch<WebhookEndpoint>(`/v1/webhooks/endpoints/${id}`, { status: enabling ? 'enabled' : 'disabled' }, endpoint!.etag));
        announce(enabling ? 'Endpoint enabled.' : 'Endpoint disabled.');
      }
    } catch (err) {
      setError(asApiError(err));
    }
  }

  return (
    <>
      <p><a href="#/endpoints">← Endpoints</a></p>
      <div class="page-head">
        <h1 class="url">{endpoint.url}</h1>
        <StatusBadge status={endpoint.status} />
      </div>
      {endpoint.description && <p>{endpoint.description}</p>}
      <div class="actions">
        <a class="button secondary" href={`#/endpoints/${id}/edit`}>Edit</a>
        <button type="button" class="secondary" onClick={() => setConfirming('status')}>{enabling ? 'Enable' : 'Disable'}</button>
        <button type="button" class="danger" onClick={() => setConfirming('delete')}>Delete</button>
      </div>
      {error && <ErrorBox error={error} />}
      <dl class="facts">
        <dt>Events</dt><dd>{endpoint.events.map((e) => <code key={e}>{e}</code>)}</dd>
        <dt>Retry schedule</dt><dd>{endpoint.retry_schedule.join(', ')} <span class="muted small">({endpoint.retry_schedule_source === 'endpoint' ? 'its own' : 'the platform\'s'})</span></dd>
        <dt>Ordering</dt><dd>{endpoint.ordering === 'fifo' ? 'FIFO: one at a time, in publish order' : 'Unordered'}</dd>
        <dt>Rate limit</dt><dd>{endpoint.rate_limit === null ? 'None' : `${endpoint.rate_limit} per second`}</dd>
        <dt>Custom headers</dt><dd>{Object.keys(endpoint.headers).length === 0 ? 'None'
          : Object.entries(endpoint.headers).map(([name, masked]) => <code key={name}>{name}: {masked}</code>)}</dd>
        <dt>Filter</dt><dd>{endpoint.filter === null ? 'None: every event of its types' : <code>{JSON.stringify(endpoint.filter)}</code>}</dd>
        <dt>Client certificate</dt><dd>{endpoint.client_certificate === null ? 'None'
          : <><code>{endpoint.client_certificate.subject}</code> <span class="muted small">expires {when(endpoint.client_certificate.expires)}</span></>}</dd>
        <dt>Signing</dt><dd>{endpoint.signing === 'ed25519' ? 'Ed25519 (v1a)' : 'HMAC-SHA256'}</dd>
        <dt>Format</dt><dd>{endpoint.format === 'basic' ? 'Event object (Falu)' : 'CloudEvents 1.0'}</dd>
        <dt>Id</dt><dd><code>{endpoint.id}</code></dd>
        <dt>Created</dt><dd>{when(endpoint.created)}</dd>
      </dl>
      {endpoint.public_key && <PublicKey value={endpoint.public_key} />}
      <SecretPanel endpoint={endpoint} onRolled={(e) => { setEndpoint(e); announce('Secret rolled. The new secret is shown below.'); }} />
      <FilterPanel filter={endpoint.filter} events={endpoint.events} />
      <TestPanel endpointId={id} />
      <ReplayPanel endpointId={id} url={endpoint.url} enabled={endpoint.status === 'enabled'} />
      <section aria-labelledby="charts-title" class="panel">
        <h2 id="charts-title">Last 24 hours</h2>
        <DeliveryCharts endpoint={id} />
      </section>
      {confirming === 'delete' && (
        <ConfirmDialog title="Delete this endpoint?" confirm="Delete endpoint" danger onConfirm={() => act('delete')} onCancel={() => setConfirming(null)}>
          <p>hookd stops sending to <strong class="url">{endpoint.url}</strong>. Its delivery history stays until retention removes it.</p>
        </ConfirmDialog>
      )}
      {confirming === 'status' && (
        <ConfirmDialog title={enabling ? 'Enable this endpoint?' : 'Disable this endpoint?'} confirm={enabling ? 'Enable' : 'Disable'}
          onConfirm={() => act('status')} onCancel={() => setConfirming(null)}>
          <p>{enabling ? 'New events are sent to it again.' : 'New events are not sent to it until you enable it again.'}</p>
        </ConfirmDialog>
      )}
    </>
  );
}
