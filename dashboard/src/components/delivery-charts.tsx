/** Deliveries per hour by outcome and attempt latency percentiles, for the workspace or one endpoint. */
import { useMemo } from 'preact/hooks';
import { get, query } from '../api.js';
import { ms } from '../format.js';
import { useLoad } from '../load.js';
import type { HourStats } from '../view-types.js';
import { HourlyChart, type Line } from './hourly-chart.js';
import { Empty, ErrorBox, Loading } from './states.js';

const COLORS = { succeeded: '#15803d', failed: '#b91c1c', pending: '#a16207', p50: '#1d4ed8', p90: '#7c3aed', p99: '#be123c' };
const count = (v: number | null) => String(v ?? 0);

export function DeliveryCharts({ endpoint, hours = 24 }: { endpoint?: string; hours?: number }) {
  const stats = useLoad(() => get<HourStats[]>(`${endpoint ? `/v1/webhooks/endpoints/${endpoint}/stats` : '/v1/stats/hourly'}${query({ hours })}`), [endpoint, hours]);
  const series = useMemo(() => {
    const rows = stats.data ?? [];
    const pick = (f: (r: HourStats) => number | null) => rows.map(f);
    const outcomes: Line[] = [
      { label: 'Succeeded', color: COLORS.succeeded, values: pick((r) => r.deliveries.succeeded), format: count },
      { label: 'Failed', color: COLORS.failed, values: pick((r) => r.deliveries.failed), format: count },
      { label: 'Pending', color: COLORS.pending, values: pick((r) => r.deliveries.pending), format: count },
    ];
    const latency: Line[] = [
      { label: 'p50', color: COLORS.p50, values: pick((r) => r.latency.p50), format: ms },
      { label: 'p90', color: COLORS.p90, values: pick((r) => r.latency.p90), format: ms },
      { label: 'p99', color: COLORS.p99, values: pick((r) => r.latency.p99), format: ms },
    ];
    const total = (k: 'succeeded' | 'failed' | 'pending') => rows.reduce((n, r) => n + r.deliveries[k], 0);
    return {
      hours: rows.map((r) => Date.parse(r.hour)), outcomes, latency,
      totals: { succeeded: total('succeeded'), failed: total('failed'), pending: total('pending') },
      attempts: rows.reduce((n, r) => n + r.attempts, 0),
      worstP99: Math.max(0, ...rows.map((r) => r.latency.p99 ?? 0)),
    };
  }, [stats.data]);

  if (stats.loading && !stats.data) return <Loading what="charts" />;
  if (stats.error) return <ErrorBox error={stats.error} retry={stats.reload} />;
  const { totals } = series;
  if (totals.succeeded + totals.failed + totals.pending === 0 && series.attempts === 0) {
    return <Empty title={`No deliveries in the last ${hours} hours`}><p class="muted">Charts fill in as events are delivered.</p></Empty>;
  }
  return (
    <div class="charts">
      <HourlyChart stacked title={`Deliveries per hour, last ${hours} h`} hours={series.hours} lines={series.outcomes}
        summary={`${totals.succeeded} succeeded, ${totals.failed} failed, ${totals.pending} pending.`} />
      <HourlyChart title="Attempt latency per hour" hours={series.hours} lines={series.latency}
        summary={`${series.attempts} attempts; the slowest hour's p99 was ${ms(series.worstP99)}.`} />
    </div>
  );
}
