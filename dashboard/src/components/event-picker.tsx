/**
 * Chooses the event types an endpoint subscribes to: a search over the catalog (GET
 * /v1/event_types), with the wildcards the API accepts (`*`, and `family.*` for every type
 * of a family) offered beside the exact types.
 */
import { useMemo, useState } from 'preact/hooks';
import type { EventType } from '../types.js';

interface Props {
  catalog: EventType[];
  selected: string[];
  onChange: (events: string[]) => void;
  error?: string[];
}

/** What the picker lists: a catalog entry, or a wildcard, which has only these two fields. */
type Option = Pick<EventType, 'name' | 'description'>;

/** `*` and each family's `prefix.*`, described like catalog entries. */
function wildcards(catalog: EventType[]): Option[] {
  const families = [...new Set(catalog.map((t) => t.name.split('.')[0]!))].sort();
  return [
    { name: '*', description: 'Every event type, including ones added later' },
    ...families.map((f) => ({ name: `${f}.*`, description: `Every ${f} event` })),
  ];
}

const SHOWN = 40;

export function EventPicker({ catalog, selected, onChange, error }: Props) {
  const [search, setSearch] = useState('');
  const options = useMemo((): Option[] => [...wildcards(catalog), ...catalog], [catalog]);
  const words = search.toLowerCase().split(/\s+/).filter(Boolean);
  const matches = options.filter((t) => words.every((w) => t.name.includes(w) || t.description.toLowerCase().includes(w)));
  const toggle = (name: string, on: boolean) => onChange(on ? [...selected, name] : selected.filter((s) => s !== name));

  return (
    <fieldset class="picker" aria-describedby={error ? 'events-error' : undefined}>
      <legend>Events to send</legend>
      {selected.length > 0 ? (
        <ul class="chips" aria-label="Selected event types">
          {selected.map((name) => (
            <li key={name}>
              <code>{name}</code>
              <button type="button" class="chip-remove" aria-label={`Remove ${name}`} onClick={() => toggle(name, false)}>×</button>
            </li>
          ))}
        </ul>
      ) : <p class="muted small">No event types chosen yet.</p>}
      <label for="event-search">Search event types</label>
      <input id="event-search" type="search" value={search} placeholder="payment, refund.failed, *…" autocomplete="off"
        onInput={(e) => setSearch(e.currentTarget.value)} />
      <ul class="picker-options" aria-label="Matching event types">
        {matches.slice(0, SHOWN).map((t) => {
          const id = `event-${t.name.replace(/[^a-z0-9_]/g, '-')}`;
          return (
            <li key={t.name}>
              <input type="checkbox" id={id} checked={selected.includes(t.name)} onChange={(e) => toggle(t.name, e.currentTarget.checked)} />
              <label for={id}><code>{t.name}</code> <span class="muted small">{t.description}</span></label>
            </li>
          );
        })}
      </ul>
      {matches.length > SHOWN && <p class="muted small">{matches.length - SHOWN} more match; type more to narrow the list.</p>}
      {matches.length === 0 && <p class="muted small">No event type matches “{search}”.</p>}
      {error && <p id="events-error" class="error-text">{error.join('; ')}</p>}
    </fieldset>
  );
}
