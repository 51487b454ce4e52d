/** What a view shows while it loads, when there is nothing yet, and when a call failed. */
import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api.js';

export function Loading({ what }: { what: string }) {
  return <p class="muted" role="status">Loading {what}…</p>;
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <p class="empty-title">{title}</p>
      {children}
    </div>
  );
}

export function ErrorBox({ error, retry }: { error: ApiError; retry?: () => void }) {
  const fields = Object.entries(error.problem.errors ?? {});
  return (
    <div class="error" role="alert">
      <p><strong>{error.problem.title}</strong>{error.problem.detail ? ` — ${error.problem.detail}` : ''}</p>
      {fields.length > 0 && (
        <ul>{fields.map(([field, messages]) => <li key={field}><code>{field}</code> {messages.join('; ')}</li>)}</ul>
      )}
      {retry && <button type="button" class="secondary" onClick={retry}>Try again</button>}
    </div>
  );
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge badge-${status}`}>{status}</span>;
}
