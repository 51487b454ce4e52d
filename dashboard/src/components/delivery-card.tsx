/** A delivery record: where it went, its status, its place in a FIFO order, its next try, and every attempt oldest first. */
import { when } from '../format.js';
import type { WebhookDelivery } from '../types.js';
import { AttemptView } from './attempt-view.js';
import { StatusBadge } from './states.js';

export function DeliveryCard({ delivery, endpointUrl, showEvent = false }: { delivery: WebhookDelivery; endpointUrl?: string; showEvent?: boolean }) {
  return (
    <article class="delivery" aria-label={`Delivery ${delivery.id}`}>
      <header>
        <StatusBadge status={delivery.status} />{' '}
        <a href={`#/endpoints/${delivery.endpoint}`} class="url">{endpointUrl ?? delivery.endpoint}</a>
        {showEvent && <> · <a href={`#/events/${delivery.event}`}><code>{delivery.type}</code></a></>}
      </header>
      <p class="muted small">
        <code>{delivery.id}</code>{delivery.sequence !== null && <> · sequence {delivery.sequence}</>} · created {when(delivery.created)} · {delivery.attempts.length} attempt{delivery.attempts.length === 1 ? '' : 's'}
        {delivery.next && <> · next try {when(delivery.next.scheduled)}</>}
      </p>
      {(delivery.waiting_behind ?? delivery.follows_given_up) && (
        <p class="muted small">
          {delivery.waiting_behind && <>waiting behind <a href={`#/deliveries/${delivery.waiting_behind}`}><code>{delivery.waiting_behind}</code></a></>}
          {delivery.waiting_behind && delivery.follows_given_up && ' · '}
          {delivery.follows_given_up && <>follows <a href={`#/deliveries/${delivery.follows_given_up}`}><code>{delivery.follows_given_up}</code></a>, which was given up on</>}
        </p>
      )}
      {delivery.attempts.map((a, i) => <AttemptView key={i} attempt={a} />)}
      {delivery.attempts.length === 0 && <p class="muted small">Not attempted yet.</p>}
    </article>
  );
}
