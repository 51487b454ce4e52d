/**
 * The `hookd endpoints create|update` flags for what a delivery carries and how it leaves
 * (docs/delivery.md): --header, --remove-header, --filter, --client-certificate with
 * --client-key, --signing; and the lines `endpoints get` prints about them. Each flag's
 * spelling is checked here so that a message names the flag; the rules on the values (which
 * header names, which filter operators, whether a pair matches) are the server's, which names
 * the field. No message here repeats a header value or a key: they are secrets, and a terminal
 * keeps its scrollback.
 */
import { readFileSync } from 'node:fs';

export interface DeliveryFlags {
  header?: string[];
  removeHeader?: string[];
  filter?: string;
  clientCertificate?: string;
  clientKey?: string;
  signing?: string;
}

export interface DeliveryBody {
  headers?: Record<string, string | null>;
  filter?: Record<string, unknown> | null;
  client_certificate?: { certificate: string; private_key: string } | null;
  signing?: 'hmac-sha256' | 'ed25519';
}

/** commander's collector for a repeatable flag. */
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

type ReadFile = (path: string) => string;
const readUtf8: ReadFile = (path) => readFileSync(path, 'utf8');

function readFlagFile(flag: string, path: string, read: ReadFile): string {
  try {
    return read(path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new Error(`${flag}: cannot read ${path}${code ? ` (${code})` : ''}`);
  }
}

/** `Name: value`, split at the first colon, the space after it optional, as curl's -H reads it. */
function parseHeader(text: string): [string, string] {
  const colon = text.indexOf(':');
  const name = colon < 0 ? '' : text.slice(0, colon).trim();
  // The value is not quoted back: it is what the receiver's gateway checks, a secret.
  if (name === '') throw new Error('--header must be \'Name: value\', the name before the first colon');
  return [name, text.slice(colon + 1).replace(/^[ \t]+/, '')];
}

/**
 * `none` removes the filter, as `--rate-limit none` removes the limit; `@path` reads the JSON
 * from a file (a filter of any size is awkward to quote in a shell); else the text is the JSON.
 */
function parseFilter(text: string, read: ReadFile): Record<string, unknown> | null {
  if (text.trim() === 'none') return null;
  const json = text.startsWith('@') ? readFlagFile('--filter', text.slice(1), read) : text;
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (e) {
    throw new Error(`--filter must be a JSON object, @file or none: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`--filter must be a JSON object, @file or none, not ${value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`}`);
  }
  return value as Record<string, unknown>;
}

/**
 * The body fields the flags set. `update` allows --remove-header (a null in the merge patch);
 * `create` has nothing to remove. --client-certificate none removes the pair.
 */
export function deliveryBody(opts: DeliveryFlags, mode: 'create' | 'update', read: ReadFile = readUtf8): DeliveryBody {
  const body: DeliveryBody = {};
  if (opts.header !== undefined || opts.removeHeader !== undefined) {
    const headers: Record<string, string | null> = {};
    for (const name of opts.removeHeader ?? []) {
      if (mode === 'create') throw new Error('--remove-header is for endpoints update: a new endpoint has no headers to remove');
      if (name.trim() === '') throw new Error('--remove-header must name a header');
      headers[name.trim()] = null;
    }
    for (const text of opts.header ?? []) {
      const [name, value] = parseHeader(text);
      const clash = Object.keys(headers).find((n) => n.toLowerCase() === name.toLowerCase());
      if (clash !== undefined) throw new Error(`--header ${name} is given twice, or also removed (header names are case-insensitive)`);
      headers[name] = value;
    }
    body.headers = headers;
  }
  if (opts.filter !== undefined) body.filter = parseFilter(opts.filter, read);

  const { clientCertificate: cert, clientKey: key } = opts;
  if (cert?.trim() === 'none') {
    if (key !== undefined) throw new Error('--client-key goes with a --client-certificate file, not with none');
    if (mode === 'create') throw new Error('--client-certificate none is for endpoints update: a new endpoint has no certificate to remove');
    body.client_certificate = null;
  } else if (cert !== undefined || key !== undefined) {
    if (cert === undefined) throw new Error('--client-key needs --client-certificate: the certificate (PEM) it is the key of');
    if (key === undefined) throw new Error('--client-certificate needs --client-key: the certificate\'s private key (PEM)');
    body.client_certificate = { certificate: readFlagFile('--client-certificate', cert, read), private_key: readFlagFile('--client-key', key, read) };
  }

  if (opts.signing !== undefined) {
    if (opts.signing !== 'hmac-sha256' && opts.signing !== 'ed25519') throw new Error(`--signing must be hmac-sha256 or ed25519, not '${opts.signing}'`);
    body.signing = opts.signing;
  }
  return body;
}

/** What `endpoints get` shows of an endpoint's delivery fields; the API has already masked the header values. */
export interface DeliveryView {
  headers?: Record<string, string>;
  filter?: Record<string, unknown> | null;
  client_certificate?: { subject: string; issuer: string; expires: string; fingerprint: string } | null;
  signing?: string;
  public_key?: string | null;
}

/**
 * Rows of `field`/`value` for a vertical view: one row per custom header (`headers.X-Api-Key`),
 * the filter as compact JSON, the certificate as its subject and expiry. `all`: every field,
 * `-` where unset (get); else only what is set beyond the defaults (create, update).
 */
export function deliveryRows(e: DeliveryView, all: boolean): { field: string; value: string }[] {
  const rows: { field: string; value: string }[] = [];
  const headers = Object.entries(e.headers ?? {});
  for (const [name, value] of headers) rows.push({ field: `headers.${name}`, value });
  if (all && headers.length === 0) rows.push({ field: 'headers', value: '-' });
  if (e.filter || all) rows.push({ field: 'filter', value: e.filter ? JSON.stringify(e.filter) : '-' });
  const cert = e.client_certificate;
  if (cert) {
    rows.push({ field: 'client_certificate', value: cert.subject }, { field: 'client_certificate.expires', value: cert.expires });
    if (all) rows.push({ field: 'client_certificate.issuer', value: cert.issuer }, { field: 'client_certificate.fingerprint', value: cert.fingerprint });
  } else if (all) rows.push({ field: 'client_certificate', value: '-' });
  if (all || (e.signing !== undefined && e.signing !== 'hmac-sha256')) rows.push({ field: 'signing', value: e.signing ?? '-' });
  if (e.public_key) rows.push({ field: 'public_key', value: e.public_key });
  return rows;
}
