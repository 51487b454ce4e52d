/** Charts for the workspace or one endpoint, over a chosen span. */
import { useState } from 'preact/hooks';
import { all } from '../api.js';
import { DeliveryCharts } from '../components/delivery-charts.js';
import { useLoad } from '../load.js';
import type { WebhookEndpoint } from '../types.js';

const SPANS = [24, 72, 168];

export function ChartsPage() {
  const endpoints = useLoad(() => all<WebhookEndpoint>('/v1/webhooks/endpoints'), []);
  const [endpoint, setEndpoint] = useState('');
  const [hours, setHours] = useState(24);
  return (
    <>
      <h1>Charts</h1>
      <div class="filters">
        <div class="field">
          <label for="chart-scope">Show</label>
          <select id="chart-scope" value={endpoint} onChange={(e) => setEndpoint(e.currentTarget.value)}>
            <option value="">The whole workspace</option>
            {(endpoints.data ?? []).map((e) => <option key={e.id} value={e.id}>{e.url}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="chart-span">Span</label>
          <select id="chart-span" value={hours} onChange={(e) => setHours(Number(e.currentTarget.value))}>
            {SPANS.map((h) => <option key={h} value={h}>Last {h === 24 ? '24 hours' : `${h / 24} days`}</option>)}
          </select>
        </div>
      </div>
      <DeliveryCharts endpoint={endpoint || undefined} hours={hours} />
    </>
  );
}
