/**
 * The endpoint form's delivery fields (docs/dashboard.md, "Delivery fields"): custom headers,
 * the payload filter, the client certificate for mutual TLS and the signing scheme. Header
 * values and the private key are write-only: the API answers them masked or not at all, so an
 * existing header shows its mask as a placeholder and is sent only when a value is typed over
 * it, and the key's textarea starts empty and leaves the page with the form.
 */
import { useState } from 'preact/hooks';
import type { WebhookEndpoint } from '../types.js';
import { Field } from './field.js';

interface HeaderRow {
  key: number;
  /** The name the endpoint has it under; null for a row added here. */
  stored: string | null;
  name: string;
  value: string;
}

export interface DeliveryDraft {
  headers: HeaderRow[];
  filter: string;
  certificate: string;
  privateKey: string;
  removeCertificate: boolean;
  signing: WebhookEndpoint['signing'];
}

export function initialDraft(endpoint: WebhookEndpoint | null): DeliveryDraft {
  return {
    headers: Object.keys(endpoint?.headers ?? {}).map((name, key) => ({ key, stored: name, name, value: '' })),
    filter: endpoint?.filter ? JSON.stringify(endpoint.filter, null, 2) : '',
    certificate: '', privateKey: '', removeCertificate: false,
    signing: endpoint?.signing ?? 'hmac-sha256',
  };
}

/**
 * The body fields of the draft, for a create (`endpoint` null) or a merge patch: headers left
 * as they were are not sent (their masks would replace them), a removed one is sent as null.
 * A filter that is not JSON is the one error found here; the API judges everything else.
 */
export function draftBody(draft: DeliveryDraft, endpoint: WebhookEndpoint | null): { body: Record<string, unknown> } | { filterError: string } {
  const body: Record<string, unknown> = {};
  const headers: Record<string, string | null> = {};
  for (const name of Object.keys(endpoint?.headers ?? {})) if (!draft.headers.some((r) => r.stored === name)) headers[name] = null;
  for (const row of draft.headers) {
    if (row.stored !== null && row.value === '') continue;
    if (row.stored === null && row.name.trim() === '' && row.value === '') continue;
    headers[row.stored ?? row.name.trim()] = row.value;
  }
  if (Object.keys(headers).length > 0) body.headers = headers;

  const text = draft.filter.trim();
  if (text === '') {
    if (endpoint?.filter) body.filter = null;
  } else {
    try {
      body.filter = JSON.parse(text);
    } catch (e) {
      return { filterError: `is not JSON: ${(e as Error).message}` };
    }
  }

  if (draft.removeCertificate) body.client_certificate = null;
  else if (draft.certificate.trim() !== '' || draft.privateKey.trim() !== '') body.client_certificate = { certificate: draft.certificate, private_key: draft.privateKey };
  if (draft.signing !== (endpoint?.signing ?? 'hmac-sha256')) body.signing = draft.signing;
  return { body };
}

/** `filter.data.object.amount.$gte` → `data.object.amount.$gte`: where in the filter, as the API named it. */
function filterMessages(errors: Record<string, string[]>): string[] | undefined {
  const messages = Object.entries(errors).filter(([f]) => f === 'filter' || f.startsWith('filter.'))
    .flatMap(([f, list]) => list.map((m) => (f === 'filter' ? m : `at ${f.slice(7)}: ${m}`)));
  return messages.length > 0 ? messages : undefined;
}

function underField(errors: Record<string, string[]>, field: string): string[] | undefined {
  const messages = Object.entries(errors).filter(([f]) => f === field || f.startsWith(`${field}.`))
    .flatMap(([f, list]) => list.map((m) => (f === field ? m : `${f.slice(field.length + 1)} ${m}`)));
  return messages.length > 0 ? messages : undefined;
}

interface Props {
  endpoint: WebhookEndpoint | null;
  draft: DeliveryDraft;
  onChange: (draft: DeliveryDraft) => void;
  errors: Record<string, string[]>;
  filterError: string | null;
}

export function DeliveryFields({ endpoint, draft, onChange, errors, filterError }: Props) {
  const [nextKey, setNextKey] = useState(draft.headers.length);
  const set = (change: Partial<DeliveryDraft>) => onChange({ ...draft, ...change });
  const setRow = (key: number, change: Partial<HeaderRow>) => set({ headers: draft.headers.map((r) => (r.key === key ? { ...r, ...change } : r)) });
  const addRow = () => {
    set({ headers: [...draft.headers, { key: nextKey, stored: null, name: '', value: '' }] });
    setNextKey(nextKey + 1);
  };
  const headerErrors = errors.headers;
  const filterErrors = filterError ? [filterError] : filterMessages(errors);
  const cert = endpoint?.client_certificate ?? null;
  return (
    <fieldset class="delivery-fields">
      <legend>Delivery</legend>
      <div class="field">
        <span class="label" id="headers-label">Custom headers (optional)</span>
        <p class="muted small" id="headers-hint">Sent with every delivery, e.g. an X-Api-Key the receiver's gateway checks. Values are write-only: leave one empty to keep it.</p>
        {draft.headers.map((row, i) => {
          const rowErrors = errors[`headers.${row.stored ?? row.name.trim()}`];
          return (
            <div class="header-row" key={row.key} data-testid="header-row">
              <input type="text" aria-label={`Header ${i + 1} name`} value={row.name} readOnly={row.stored !== null} spellcheck={false}
                placeholder="X-Api-Key" onInput={(e) => setRow(row.key, { name: e.currentTarget.value })} />
              <input type="password" autocomplete="off" aria-label={`Header ${i + 1} value`} value={row.value} spellcheck={false}
                placeholder={row.stored !== null ? `${endpoint?.headers[row.stored] ?? ''} (unchanged)` : 'value'}
                aria-invalid={Boolean(rowErrors)} onInput={(e) => setRow(row.key, { value: e.currentTarget.value })} />
              <button type="button" class="secondary" onClick={() => set({ headers: draft.headers.filter((r) => r.key !== row.key) })}>Remove</button>
              {rowErrors && <p class="error-text">{rowErrors.join('; ')}</p>}
            </div>
          );
        })}
        <button type="button" class="secondary" onClick={addRow}>Add header</button>
        {headerErrors && <p class="error-text" id="headers-error">{headerErrors.join('; ')}</p>}
      </div>
      <Field id="filter" label="Filter (optional)" error={filterErrors}
        hint='JSON over type, data.object and data.previous; only matching events are sent, e.g. {"data": {"object": {"amount": {"$gte": 1000}}}}. Empty: every event of the types above.'>
        {(describedBy, invalid) => (
          <textarea id="filter" rows={4} spellcheck={false} value={draft.filter} aria-describedby={describedBy} aria-invalid={invalid}
            onInput={(e) => set({ filter: e.currentTarget.value })} />
        )}
      </Field>
      <div class="field">
        <span class="label">Client certificate (optional)</span>
        <p class="muted small">For receivers that require mutual TLS: hookd presents it on every connection. The key is encrypted at rest and never shown again.</p>
        {cert && !draft.removeCertificate && (
          <p data-testid="certificate-summary">
            <code>{cert.subject}</code>, issued by <code>{cert.issuer}</code>, expires {cert.expires.slice(0, 10)}{' '}
            <button type="button" class="secondary" onClick={() => set({ removeCertificate: true, certificate: '', privateKey: '' })}>Remove certificate</button>
          </p>
        )}
        {draft.removeCertificate && (
          <p>The certificate is removed when you save. <button type="button" class="secondary" onClick={() => set({ removeCertificate: false })}>Keep it</button></p>
        )}
        {!draft.removeCertificate && (
          <>
            <Field id="client-certificate" label={cert ? 'Replace with certificate (PEM)' : 'Certificate (PEM)'} error={underField(errors, 'client_certificate.certificate') ?? errors.client_certificate}>
              {(describedBy, invalid) => (
                <textarea id="client-certificate" rows={3} spellcheck={false} value={draft.certificate} placeholder="-----BEGIN CERTIFICATE-----"
                  aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => set({ certificate: e.currentTarget.value })} />
              )}
            </Field>
            <Field id="client-key" label="Its private key (PEM)" error={underField(errors, 'client_certificate.private_key')}>
              {(describedBy, invalid) => (
                <textarea id="client-key" rows={3} spellcheck={false} autocomplete="off" value={draft.privateKey} placeholder="-----BEGIN PRIVATE KEY-----"
                  aria-describedby={describedBy} aria-invalid={invalid} onInput={(e) => set({ privateKey: e.currentTarget.value })} />
              )}
            </Field>
          </>
        )}
      </div>
      <Field id="signing" label="Signing" error={errors.signing}
        hint="HMAC-SHA256 signs with the secret. Ed25519 signs webhook-signature as v1a, which receivers verify with the public key alone; X-Falu-Signature stays HMAC.">
        {(describedBy) => (
          <select id="signing" value={draft.signing} aria-describedby={describedBy} onChange={(e) => set({ signing: e.currentTarget.value as WebhookEndpoint['signing'] })}>
            <option value="hmac-sha256">HMAC-SHA256</option>
            <option value="ed25519">Ed25519</option>
          </select>
        )}
      </Field>
      {draft.signing === 'ed25519' && endpoint?.public_key && <PublicKey value={endpoint.public_key} />}
      {draft.signing === 'ed25519' && endpoint?.signing !== 'ed25519' && <p class="muted small">A key pair is made when you save; its public key is shown on the endpoint.</p>}
    </fieldset>
  );
}

/** The Ed25519 public key, whole (it is not a secret), with a copy button. */
export function PublicKey({ value }: { value: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => navigator.clipboard?.writeText(value).then(() => setCopied(true), () => undefined);
  return (
    <p class="public-key">
      Public key: <code data-testid="public-key">{value}</code>{' '}
      <button type="button" class="secondary" onClick={copy}>{copied ? 'Copied' : 'Copy public key'}</button>
    </p>
  );
}
