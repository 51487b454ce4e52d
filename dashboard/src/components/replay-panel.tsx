/** Replays what the endpoint missed since a time: events it never got, or all of them again (docs/delivery.md, "Replay"). */
import { useState } from 'preact/hooks';
import { post, type ApiError } from '../api.js';
import { fromLocalInput, toLocalInput, when } from '../format.js';
import { asApiError } from '../load.js';
import { announce } from '../notice.js';
import type { Responses } from '../types.js';
import { ConfirmDialog } from './confirm-dialog.js';
import { ErrorBox } from './states.js';

type Replayed = Responses['POST /v1/webhooks/endpoints/{id}/replay'];

export function ReplayPanel({ endpointId, url, enabled }: { endpointId: string; url: string; enabled: boolean }) {
  const [since, setSince] = useState(toLocalInput(new Date(Date.now() - 86_400_000)));
  const [includeDelivered, setIncludeDelivered] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  async function replay() {
    setConfirming(false);
    setError(null);
    setBusy(true);
    try {
      const body = { since: fromLocalInput(since), include_delivered: includeDelivered };
      let queued = 0;
      // has_more: the same request again queues the next ones (a call queues at most 10,000).
      for (let more = true; more;) {
        const answer = await post<Replayed>(`/v1/webhooks/endpoints/${endpointId}/replay`, body);
        queued += answer.queued;
        more = answer.has_more;
      }
      announce(queued === 0 ? 'Nothing to replay in that span.' : `${queued} deliver${queued === 1 ? 'y was' : 'ies were'} queued.`);
    } catch (err) {
      setError(asApiError(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="replay-title" class="panel">
      <h2 id="replay-title">Replay</h2>
      <p class="muted small">Queues the stored events this endpoint subscribes to and never got: sent while it was disabled, before it existed or before its events changed.</p>
      <form class="inline-form" onSubmit={(e) => { e.preventDefault(); setConfirming(true); }}>
        <div class="field">
          <label for="replay-since">Events since</label>
          <input id="replay-since" type="datetime-local" value={since} required onInput={(e) => setSince(e.currentTarget.value)} />
        </div>
        <div class="field">
          <label>
            <input id="replay-include-delivered" type="checkbox" checked={includeDelivered} onChange={(e) => setIncludeDelivered(e.currentTarget.checked)} />
            {' '}Also events it already got
          </label>
        </div>
        <button type="submit" disabled={!since || busy || !enabled}>{busy ? 'Replaying…' : 'Replay…'}</button>
      </form>
      {!enabled && <p class="muted small">Enable the endpoint to replay to it.</p>}
      {error && <ErrorBox error={error} />}
      {confirming && (
        <ConfirmDialog title="Replay events?" confirm="Replay" onConfirm={replay} onCancel={() => setConfirming(false)}>
          <p>
            Every stored event since {when(fromLocalInput(since))} that <strong class="url">{url}</strong> subscribes to
            {includeDelivered ? ' is sent to it again, delivered ones included.' : ' and never got is sent to it now.'}
          </p>
        </ConfirmDialog>
      )}
    </section>
  );
}
