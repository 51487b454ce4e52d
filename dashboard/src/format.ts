/** How the dashboard writes times, durations and rates: in the reader's locale and zone. */
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

export const when = (iso: string): string => dateTime.format(new Date(iso));
export const ms = (value: number | null): string => (value === null ? '—' : value < 1000 ? `${value} ms` : `${(value / 1000).toFixed(2)} s`);
export const percent = (rate: number | null): string => (rate === null ? '—' : `${(rate * 100).toFixed(rate === 1 ? 0 : 1)} %`);

/** Pretty JSON when the text is JSON, else the text as it came. */
export function pretty(text: string | null): string {
  if (text === null || text === '') return '(empty)';
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** A datetime-local input's value (local time, no zone) as ISO 8601 UTC. */
export const fromLocalInput = (value: string): string => new Date(value).toISOString();

/** `Date` → the value a datetime-local input shows for it. */
export function toLocalInput(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}
