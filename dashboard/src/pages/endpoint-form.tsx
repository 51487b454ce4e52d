/**
 * Creates an endpoint, or edits one: URL, description, format, the events it receives, its retry
 * schedule, ordering and rate limit, and what its deliveries carry (components/delivery-fields.tsx).
 */
import { useState } from 'preact/hooks';
import { all, get, patch, post, type ApiError } from '../api.js';
import { DeliveryFields, draftBody, initialDraft } from '../components/delivery-fields.js';
import { EventPicker } from '../components/event-picker.js';
import { Field } from '../components/field.js';
import { ErrorBox, Loading } from '../components/states.js';
import { asApiError, useLoad } from '../load.js';
import { announce } from '../notice.js';
import { navigate } from '../router.js';
import type { EventType, WebhookEndpoint } from '../types.js';

export function EndpointFormPage({ id, live }: { id?: string; live: boolean }) {
  const loaded = useLoad(async () => {
    const [catalog, endpoint] = await Promise.all([
      all<EventType>('/v1/event_types'),
      id ? get<WebhookEndpoint>(`/v1/webhooks/endpoints/${id}`) : Promise.resolve(null),
    ]);
    return { catalog, endpoint };
  }, [id]);
  if (loaded.loading) return <Loading what="the event catalog" />;
  if (loaded.error) return <ErrorBox error={loaded.error} retry={loaded.reload} />;
  // Keyed by the version loaded, so that the fields start from it: filled in by an effect
  // after the first paint instead, they showed empty for a moment, and a person (or a test)
  // typing then lost what they typed when the effect ran.
  const { catalog, endpoint } = loaded.data!;
  return <EndpointForm key={endpoint?.etag ?? 'new'} id={id} live={live} catalog={catalog} endpoint={endpoint} />;
}

function EndpointForm({ id, live, catalog, endpoint }: { id?: string; live: boolean; catalog: EventType[]; endpoint: WebhookEndpoint | null }) {
  const [url, setUrl] = useState(endpoint?.url ?? '');
  const [description, setDescription] = useState(endpoint?.description ?? '');
  const [format, setFormat] = useState<WebhookEndpoint['format']>(endpoint?.format ?? 'basic');
  const [events, setEvents] = useState<string[]>(endpoint?.events ?? []);
  // Empty: the platform's schedule (retry_schedule null); else the endpoint's own entries.
  const [retrySchedule, setRetrySchedule] = useState(endpoint?.retry_schedule_source === 'endpoint' ? endpoint.retry_schedule.join(', ') : '');
  const [ordering, setOrdering] = useState<WebhookEndpoint['ordering']>(endpoint?.ordering ?? 'unordered');
  // Empty: no limit (rate_limit null).
  const [rateLimit, setRateLimit] = useState(endpoint?.rate_limit === null || endpoint === null ? '' : String(endpoint.rate_limit));
  const [delivery, setDelivery] = useState(() => initialDraft(endpoint));
  const [filterError, setFilterError] = useState<string | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(ev: Event) {
    ev.preventDefault();
    setError(null);
    const fields = draftBody(delivery, endpoint);
    setFilterError('filterError' in fields ? fields.filterError : null);
    if ('filterError' in fields) return;
    setBusy(true);
    const entries = retrySchedule.split(',').map((s) => s.trim()).filter(Boolean);
    // Digits are sent as the number; anything else as typed, so the API's rule shows under the field
    // (a type="number" input would hand a typo over as "", which means no limit).
    const limit = rateLimit.trim();
    const body = {
      url: url.trim(), description: description.trim() || null, format, events, retry_schedule: entries.length > 0 ? entries : null,
      ordering, rate_limit: limit === '' ? null : /^[0-9]+$/.test(limit) ? Number(limit) : limit, ...fields.body,
    };
    try {
      const saved = id ? await patch<WebhookEndpoint>(`/v1/webhooks/endpoints/${id}`, body, endpoint?.etag) : await post<WebhookEndpoint>('/v1/webhooks/endpoints', body);
      announce(id ? 'Endpoint saved.' : 'Endpoint created. Reveal its signing secret below to verify what hookd sends.', `/endpoints/${saved.id}`);
      navigate(`/endpoints/${saved.id}`);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  const fieldErrors = error?.problem.errors ?? {};
  // The schedule's own errors and its entries' (retry_schedule.3), shown under the one input.
  const scheduleErrors = Object.entries(fieldErrors).filter(([f]) => f === 'retry_schedule' || f.startsWith('retry_schedule.'))
    .flatMap(([f, messages]) => (f === 'retry_schedule' ? messages : messages.map((m) => `entry ${Number(f.slice(15)) + 1} ${m}`)));
  return (
    <>
      <h1>{id ? 'Edit endpoint' : 'Add endpoint'}</h1>
      <form class="endpoint-form" onSubmit={submit} noValidate>
        <Field id="url" label="Endpoint URL" error={fieldErrors.url} hint={live ? 'Live mode needs https.' : 'Where hookd POSTs each event.'}>
          {(describedBy, invalid) => (
            <input id="url" type="url" inputMode="url" required value={url} placeholder="https://example.com/webhooks"
              aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => setUrl(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="description" label="Description (optional)" error={fieldErrors.description}>
          {(describedBy, invalid) => (
            <input id="description" type="text" value={description} maxLength={500}
              aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => setDescription(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="format" label="Payload format" error={fieldErrors.format}>
          {(describedBy) => (
            <select id="format" value={format} aria-describedby={describedBy} onChange={(e) => setFormat(e.currentTarget.value as WebhookEndpoint['format'])}>
              <option value="basic">Event object (Falu)</option>
              <option value="cloud_events">CloudEvents 1.0</option>
            </select>
          )}
        </Field>
        <EventPicker catalog={catalog} selected={events} onChange={setEvents} error={fieldErrors.events} />
        {/* After the events: most endpoints keep the platform's schedule, so the field is last. */}
        <Field id="retry-schedule" label="Retry schedule (optional)" error={scheduleErrors.length > 0 ? scheduleErrors : undefined}
          hint={`Comma-separated delays before each attempt, the first before the first attempt, e.g. 0, 5s, 1m, 1h. Empty: the platform's schedule${endpoint?.retry_schedule_source === 'platform' ? ` (${endpoint.retry_schedule.join(', ')})` : ''}.`}>
          {(describedBy, invalid) => (
            <input id="retry-schedule" type="text" value={retrySchedule} placeholder="the platform's" spellcheck={false}
              aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => setRetrySchedule(e.currentTarget.value)} />
          )}
        </Field>
        <Field id="ordering" label="Ordering" error={fieldErrors.ordering}
          hint="FIFO: one delivery at a time, in the order the events were published; the next waits until the one before succeeded or was given up on.">
          {(describedBy) => (
            <select id="ordering" value={ordering} aria-describedby={describedBy} onChange={(e) => setOrdering(e.currentTarget.value as WebhookEndpoint['ordering'])}>
              <option value="unordered">Unordered</option>
              <option value="fifo">FIFO</option>
            </select>
          )}
        </Field>
        <Field id="rate-limit" label="Rate limit (optional)" error={fieldErrors.rate_limit} hint="Deliveries per second, 1–10000, across every worker. Empty: no limit.">
          {(describedBy, invalid) => (
            <input id="rate-limit" type="text" inputMode="numeric" value={rateLimit} placeholder="no limit" spellcheck={false}
              aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => setRateLimit(e.currentTarget.value)} />
          )}
        </Field>
        <DeliveryFields endpoint={endpoint} draft={delivery} onChange={setDelivery} errors={fieldErrors} filterError={filterError} />
        {error && <ErrorBox error={error} />}
        <div class="actions">
          <a class="button secondary" href={id ? `#/endpoints/${id}` : '#/endpoints'}>Cancel</a>
          <button type="submit" disabled={busy}>{busy ? 'Saving…' : id ? 'Save endpoint' : 'Create endpoint'}</button>
        </div>
      </form>
    </>
  );
}
