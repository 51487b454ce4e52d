/** Endpoints: URL, status, events, and the last 24 h success rate and p95 latency of each. */
import { all, get } from '../api.js';
import { Empty, ErrorBox, Loading, StatusBadge } from '../components/states.js';
import { ms, percent } from '../format.js';
import { useLoad } from '../load.js';
import type { WebhookEndpoint } from '../types.js';
import type { EndpointStats } from '../view-types.js';

export function EndpointsPage() {
  const list = useLoad(async () => {
    const [endpoints, stats] = await Promise.all([all<WebhookEndpoint>('/v1/webhooks/endpoints'), get<EndpointStats[]>('/v1/stats/endpoints?hours=24')]);
    return { endpoints, stats: new Map(stats.map((s) => [s.endpoint, s])) };
  }, []);

  return (
    <>
      <div class="page-head">
        <h1>Endpoints</h1>
        <a class="button" href="#/endpoints/new">Add endpoint</a>
      </div>
      {list.loading && <Loading what="endpoints" />}
      {list.error && <ErrorBox error={list.error} retry={list.reload} />}
      {list.data && list.data.endpoints.length === 0 && (
        <Empty title="No endpoints yet">
          <p class="muted">An endpoint is a URL of yours that hookd sends events to, signed.</p>
          <a class="button" href="#/endpoints/new">Add your first endpoint</a>
        </Empty>
      )}
      {list.data && list.data.endpoints.length > 0 && (
        <div class="table-scroll">
          <table class="endpoints">
            <caption class="visually-hidden">Webhook endpoints, with their last 24 hours</caption>
            <thead>
              <tr><th scope="col">URL</th><th scope="col">Status</th><th scope="col">Events</th><th scope="col">Success (24 h)</th><th scope="col">p95 (24 h)</th></tr>
            </thead>
            <tbody>
              {list.data.endpoints.map((e) => {
                const s = list.data!.stats.get(e.id);
                return (
                  <tr key={e.id}>
                    <td data-label="URL"><a href={`#/endpoints/${e.id}`} class="url">{e.url}</a>{e.description && <div class="muted small">{e.description}</div>}</td>
                    <td data-label="Status"><StatusBadge status={e.status} /></td>
                    <td data-label="Events"><span class="events">{e.events.join(', ')}</span></td>
                    <td data-label="Success (24 h)">{s ? `${percent(s.success_rate)} of ${s.attempts}` : 'no attempts'}</td>
                    <td data-label="p95 (24 h)">{ms(s?.p95 ?? null)}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
