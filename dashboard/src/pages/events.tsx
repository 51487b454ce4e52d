/** Events: filter by type and date, page through with X-Continuation-Token, open one. */
import { useState } from 'preact/hooks';
import { all, call, query } from '../api.js';
import { Empty, ErrorBox, Loading } from '../components/states.js';
import { when } from '../format.js';
import { useLoad } from '../load.js';
import type { Event as HookdEvent, EventType } from '../types.js';

interface Filters {
  type: string;
  from: string;
  to: string;
}

const PAGE = 20;

export function EventsPage() {
  const catalog = useLoad(() => all<EventType>('/v1/event_types'), []);
  const [draft, setDraft] = useState<Filters>({ type: '', from: '', to: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  // Tokens of the pages before this one, so Previous can go back; '' is the first page.
  const [tokens, setTokens] = useState<string[]>(['']);
  const ct = tokens[tokens.length - 1]!;
  const page = useLoad(() => call<HookdEvent[]>('GET', `/v1/events${query({
    count: PAGE, ct, type: filters.type,
    // Dates are whole days in the reader's zone: from its start, to the end of the "to" day.
    'created.gte': filters.from ? new Date(`${filters.from}T00:00`).toISOString() : undefined,
    'created.lt': filters.to ? new Date(new Date(`${filters.to}T00:00`).getTime() + 86_400_000).toISOString() : undefined,
  })}`), [filters, ct]);

  function apply(e: Event) {
    e.preventDefault();
    setFilters(draft);
    setTokens(['']);
  }

  const filtered = Boolean(filters.type || filters.from || filters.to);
  return (
    <>
      <h1>Events</h1>
      <form class="filters" onSubmit={apply} aria-label="Filter events">
        <div class="field">
          <label for="filter-type">Type</label>
          <select id="filter-type" value={draft.type} onChange={(e) => setDraft({ ...draft, type: e.currentTarget.value })}>
            <option value="">Any type</option>
            {(catalog.data ?? []).map((t) => <option key={t.name} value={t.name}>{t.name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="filter-from">From</label>
          <input id="filter-from" type="date" value={draft.from} onInput={(e) => setDraft({ ...draft, from: e.currentTarget.value })} />
        </div>
        <div class="field">
          <label for="filter-to">To</label>
          <input id="filter-to" type="date" value={draft.to} onInput={(e) => setDraft({ ...draft, to: e.currentTarget.value })} />
        </div>
        <button type="submit">Apply filters</button>
      </form>
      {page.loading && <Loading what="events" />}
      {page.error && <ErrorBox error={page.error} retry={page.reload} />}
      {page.data && !page.loading && page.data.data.length === 0 && (
        <Empty title={filtered ? 'No events match these filters' : 'No events yet'}>
          <p class="muted">{filtered ? 'Widen the dates or choose another type.' : 'Events appear here as your platform publishes them.'}</p>
        </Empty>
      )}
      {page.data && !page.loading && page.data.data.length > 0 && (
        <>
          <div class="table-scroll">
            <table>
              <caption class="visually-hidden">Events, newest first</caption>
              <thead><tr><th scope="col">Event</th><th scope="col">Type</th><th scope="col">Created</th></tr></thead>
              <tbody>
                {page.data.data.map((ev) => (
                  <tr key={ev.id}>
                    <td data-label="Event"><a href={`#/events/${ev.id}`}><code>{ev.id}</code></a></td>
                    <td data-label="Type"><code>{ev.type}</code></td>
                    <td data-label="Created">{when(ev.created)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Event pages">
            <button type="button" class="secondary" disabled={tokens.length === 1} onClick={() => setTokens(tokens.slice(0, -1))}>Previous page</button>
            <span class="muted small">Page {tokens.length}</span>
            <button type="button" class="secondary" disabled={!page.data.next} onClick={() => setTokens([...tokens, page.data!.next!])}>Next page</button>
          </nav>
        </>
      )}
    </>
  );
}
