/** Sign-in with a workspace secret key; portal links skip this page (session.ts). */
import { useState } from 'preact/hooks';
import { call, type ApiError } from '../api.js';
import { Field } from '../components/field.js';
import { ErrorBox } from '../components/states.js';
import { asApiError } from '../load.js';
import { sessionFromKey, WORKSPACE_KEY, type Session } from '../session.js';

export function SignIn({ onSignIn, notice }: { onSignIn: (session: Session) => void; notice: string | null }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string[] | undefined>();
  const [error, setError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: Event) {
    e.preventDefault();
    const value = key.trim();
    setError(null);
    if (!WORKSPACE_KEY.test(value)) {
      setProblem(['Paste a workspace secret key: it starts with fskt_ (test mode) or fskl_ (live mode).']);
      return;
    }
    setProblem(undefined);
    setBusy(true);
    try {
      // Any scoped read proves the key; the answer itself is not needed.
      await call('GET', '/v1/webhooks/endpoints?count=1', { key: value });
      onSignIn(sessionFromKey(value));
    } catch (err) {
      const apiError = asApiError(err);
      if (apiError.status === 401) setProblem(['hookd does not know this key, or it was rolled. Check that you copied all of it.']);
      else setError(apiError);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" class="sign-in">
      <h1>Sign in to hookd</h1>
      {notice && <p class="notice" role="status">{notice}</p>}
      <form onSubmit={submit} noValidate>
        <Field id="key" label="Workspace secret key" error={problem} hint="fskt_… for test mode, fskl_… for live mode. It stays in this tab only.">
          {(describedBy, invalid) => (
            <input id="key" type="password" autocomplete="off" spellcheck={false} value={key} required
              aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => setKey(e.currentTarget.value)} />
          )}
        </Field>
        <button type="submit" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button>
      </form>
      {error && <ErrorBox error={error} />}
      <p class="muted small">Your platform may also give you a portal link, which signs you in directly.</p>
    </main>
  );
}
