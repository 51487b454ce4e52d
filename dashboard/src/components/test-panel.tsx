/** Sends a webhook_endpoint.test event to the endpoint now and shows the request and the answer, and whether its filter would have excluded it. */
import { useState } from 'preact/hooks';
import { post, type ApiError } from '../api.js';
import { asApiError } from '../load.js';
import type { Responses } from '../types.js';
import { AttemptView } from './attempt-view.js';
import { ErrorBox } from './states.js';

type Tested = Responses['POST /v1/webhooks/endpoints/{id}/test'];

export function TestPanel({ endpointId }: { endpointId: string }) {
  const [attempt, setAttempt] = useState<Tested | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function send() {
    setBusy(true);
    setError(null);
    try {
      setAttempt(await post<Tested>(`/v1/webhooks/endpoints/${endpointId}/test`));
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="test-title" class="panel">
      <h2 id="test-title">Test</h2>
      <p class="muted small">Sends a signed <code>webhook_endpoint.test</code> event now. It is not stored as an event.</p>
      <button type="button" onClick={send} disabled={busy}>{busy ? 'Sending…' : 'Send test event'}</button>
      <div aria-live="polite">
        {attempt?.filtered && <p class="muted small" data-testid="test-filtered">The endpoint's filter does not match this test event: a published event like it would not be sent. It was sent anyway.</p>}
        {attempt && <AttemptView attempt={attempt} open />}
      </div>
      {error && <ErrorBox error={error} />}
    </section>
  );
}
