/** A labelled form field whose API error (problem+json `errors[field]`) is tied to it for screen readers. */
import type { ComponentChildren } from 'preact';

interface Props {
  id: string;
  label: string;
  error?: string[];
  hint?: string;
  children: (describedBy: string | undefined, invalid: boolean) => ComponentChildren;
}

export function Field({ id, label, error, hint, children }: Props) {
  const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {hint && <p id={`${id}-hint`} class="muted small">{hint}</p>}
      {children(describedBy, Boolean(error))}
      {error && <p id={`${id}-error`} class="error-text">{error.join('; ')}</p>}
    </div>
  );
}
