/** One attempt as a user checks it: outcome, status code, time, and the request and answer bodies. */
import { ms, pretty, when } from '../format.js';
import type { WebhookAttempt } from '../types.js';

export function AttemptView({ attempt, open = false }: { attempt: WebhookAttempt; open?: boolean }) {
  const outcome = attempt.successful ? 'succeeded' : 'failed';
  return (
    <details class={`attempt attempt-${outcome}`} open={open}>
      <summary>
        <span class={`badge badge-${outcome}`}>{attempt.successful ? 'Succeeded' : 'Failed'}</span>{' '}
        <span class="code">{attempt.code === null ? 'no answer' : `HTTP ${attempt.code}`}</span>{' · '}
        {ms(attempt.time)}{' · '}{when(attempt.attempted)}{attempt.manual ? ' · manual' : ''}
      </summary>
      {attempt.error && <p class="error-text">{attempt.error}</p>}
      <p class="muted small">POST {attempt.url}</p>
      <div class="bodies">
        <section>
          <h4>Request</h4>
          <pre tabIndex={0} aria-label="Request body">{pretty(attempt.request)}</pre>
        </section>
        <section>
          <h4>Answer</h4>
          <pre tabIndex={0} aria-label="Response body">{pretty(attempt.response)}</pre>
        </section>
      </div>
    </details>
  );
}
