/** The endpoint's signing secret: masked until revealed on request, and rolled with a grace period. */
import { useState } from 'preact/hooks';
import { get, post, type ApiError } from '../api.js';
import { asApiError } from '../load.js';
import type { Responses, WebhookEndpoint } from '../types.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ErrorBox } from './states.js';

const GRACE = [
  { seconds: 0, label: 'Stop the old secret now' },
  { seconds: 3_600, label: 'Keep the old secret signing for 1 hour' },
  { seconds: 86_400, label: 'Keep the old secret signing for 24 hours' },
];

export function SecretPanel({ endpoint, onRolled }: { endpoint: WebhookEndpoint; onRolled: (e: WebhookEndpoint) => void }) {
  const [secret, setSecret] = useState<string | null>(null);
  const [rolling, setRolling] = useState(false);
  const [grace, setGrace] = useState(86_400);
  const [error, setError] = useState<ApiError | null>(null);
  const [copied, setCopied] = useState(false);

  async function reveal() {
    setError(null);
    try {
      setSecret((await get<Responses['GET /v1/webhooks/endpoints/{id}/secret']>(`/v1/webhooks/endpoints/${endpoint.id}/secret`)).secret);
    } catch (err) {
      setError(asApiError(err));
    }
  }

  async function roll() {
    setRolling(false);
    setError(null);
    try {
      const rolled = await post<WebhookEndpoint>(`/v1/webhooks/endpoints/${endpoint.id}/secret/roll`, { expires_in: grace });
      setSecret(rolled.secret);
      onRolled(rolled);
    } catch (err) {
      setError(asApiError(err));
    }
  }

  async function copy() {
    if (!secret) return;
    await navigator.clipboard?.writeText(secret).then(() => setCopied(true), () => undefined);
  }

  return (
    <section aria-labelledby="secret-title" class="panel">
      <h2 id="secret-title">Signing secret</h2>
      <p class="muted small">Receivers verify X-Falu-Signature and webhook-signature with it.</p>
      <p><code class="secret" data-testid="secret">{secret ?? endpoint.secret}</code></p>
      <div class="actions">
        {secret === null
          ? <button type="button" class="secondary" onClick={reveal}>Reveal secret</button>
          : <button type="button" class="secondary" onClick={() => { setSecret(null); setCopied(false); }}>Hide secret</button>}
        {secret !== null && <button type="button" class="secondary" onClick={copy}>{copied ? 'Copied' : 'Copy'}</button>}
        <button type="button" class="secondary" onClick={() => setRolling(true)}>Roll secret</button>
      </div>
      {error && <ErrorBox error={error} />}
      {rolling && (
        <ConfirmDialog title="Roll the signing secret?" confirm="Roll secret" danger onConfirm={roll} onCancel={() => setRolling(false)}>
          <p>hookd signs with a new secret from now on. Update your receiver with it.</p>
          <label for="grace">Old secret</label>
          <select id="grace" value={grace} onChange={(e) => setGrace(Number(e.currentTarget.value))}>
            {GRACE.map((g) => <option key={g.seconds} value={g.seconds}>{g.label}</option>)}
          </select>
        </ConfirmDialog>
      )}
    </section>
  );
}
