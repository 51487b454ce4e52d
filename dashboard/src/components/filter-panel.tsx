/**
 * The endpoint's payload filter, and a try of a filter against a stored event (POST
 * /v1/webhooks/filters/test; docs/dashboard.md, "Filters"). Trying changes nothing: the
 * filter is saved by editing the endpoint.
 */
import { useState } from 'preact/hooks';
import { call, post, query, type ApiError } from '../api.js';
import { when } from '../format.js';
import { asApiError, useLoad } from '../load.js';
import type { Event as HookdEvent, Responses } from '../types.js';
import { ErrorBox } from './states.js';

type Tried = Responses['POST /v1/webhooks/filters/test'];

const RECENT = 20;

export function FilterPanel({ filter, events }: { filter: Record<string, unknown> | null; events: string[] }) {
  const [text, setText] = useState(filter === null ? '' : JSON.stringify(filter, null, 2));
  const recent = useLoad(() => call<HookdEvent[]>('GET', `/v1/events${query({ count: RECENT })}`).then((a) => a.data), []);
  const [eventId, setEventId] = useState('');
  const [tried, setTried] = useState<Tried | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosen = eventId || recent.data?.[0]?.id || '';

  async function tryIt(e: Event) {
    e.preventDefault();
    setTried(null);
    setError(null);
    setParseError(null);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      setParseError('The filter is not valid JSON.');
      return;
    }
    setBusy(true);
    try {
      setTried(await post<Tried>('/v1/webhooks/filters/test', { filter: parsed, event: chosen.trim() }));
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="filter-title" class="panel">
      <h2 id="filter-title">Filter</h2>
      {filter === null
        ? <p class="muted small">No filter: every event of the subscribed types is sent.</p>
        : <p class="muted small">Only events that match this filter are sent, besides their type being subscribed.</p>}
      {filter !== null && <pre class="filter-json" aria-label="The endpoint's filter">{JSON.stringify(filter, null, 2)}</pre>}
      <form onSubmit={tryIt}>
        <label for="filter-text">Filter to try</label>
        <textarea id="filter-text" rows={6} spellcheck={false} value={text} placeholder='{"data": {"object": {"amount": {"$gte": 1000}}}}'
          onInput={(e) => setText(e.currentTarget.value)} />
        <label for="filter-event">Stored event</label>
        <select id="filter-event" value={chosen} onChange={(e) => setEventId(e.currentTarget.value)}>
          {(recent.data ?? []).map((ev) => (
            <option key={ev.id} value={ev.id}>{ev.type} · {when(ev.created)} · {ev.id}</option>
          ))}
        </select>
        {recent.data?.length === 0 && <p class="muted small">No stored events yet: publish one first.</p>}
        <button type="submit" disabled={busy || chosen === '' || text.trim() === ''}>{busy ? 'Trying…' : 'Try filter'}</button>
      </form>
      <div aria-live="polite">
        {tried && (
          <p class={tried.matches ? 'ok' : 'muted'} data-testid="filter-result">
            {tried.matches ? 'Matches' : 'Does not match'}: <code>{tried.event}</code> ({tried.type})
            {tried.matches && !events.some((p) => p === '*' || p === tried.type || (p.endsWith('.*') && tried.type.startsWith(p.slice(0, -1))))
              ? ' — but the endpoint is not subscribed to its type.' : ''}
            {tried.redacted ? ' Its data was redacted, so the filter saw an empty object.' : ''}
          </p>
        )}
      </div>
      {parseError && <div class="error" role="alert"><p>{parseError}</p></div>}
      {error && <ErrorBox error={error} />}
      {recent.error && <ErrorBox error={recent.error} retry={recent.reload} />}
    </section>
  );
}
