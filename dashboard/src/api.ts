/**
 * The hookd API as the dashboard calls it: same origin, the session's credential as a bearer
 * key, problem+json errors turned into ApiError with the fields they name.
 */
import type { ShownProblem } from './view-types.js';

export class ApiError extends Error {
  constructor(readonly problem: ShownProblem) {
    super(problem.detail ? `${problem.title}: ${problem.detail}` : problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

let credential: string | null = null;
let onUnauthenticated: () => void = () => undefined;

export function setCredential(value: string | null, whenRefused: () => void): void {
  credential = value;
  onUnauthenticated = whenRefused;
}

export interface Answer<T> {
  data: T;
  /** X-Continuation-Token: the next page's `ct`, null on the last page. */
  next: string | null;
}

export interface CallOptions {
  body?: unknown;
  /** Another credential than the session's (sign-in checks a key before keeping it). */
  key?: string | null;
  /** Sent as If-Match: a write based on a stale copy is refused (412) rather than undoing someone's change. */
  etag?: string;
}

export async function call<T>(method: string, path: string, { body, key = credential, etag }: CallOptions = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  if (etag) headers['if-match'] = `"${etag}"`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    // Relative to the page (`/v1/…` → `v1/…`), so a dashboard served under a path prefix calls the API under it too.
    res = await fetch(path.replace(/^\//, ''), { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError({ title: 'hookd did not answer', status: 0, detail: 'Check your connection, then try again.' });
  }
  const text = await res.text();
  const json = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const problem = (json ?? { title: res.statusText, status: res.status }) as ShownProblem;
    if (res.status === 401 && key === credential) onUnauthenticated();
    throw new ApiError(problem);
  }
  return { data: json as T, next: res.headers.get('x-continuation-token') };
}

export const get = <T>(path: string) => call<T>('GET', path).then((a) => a.data);
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, { body }).then((a) => a.data);
export const patch = <T>(path: string, body: unknown, etag?: string) => call<T>('PATCH', path, { body, etag }).then((a) => a.data);
export const del = (path: string, etag?: string) => call<null>('DELETE', path, { etag }).then(() => undefined);

/** Every page of a list (catalogs and endpoint pickers: small lists the UI needs whole). */
export async function all<T>(path: string): Promise<T[]> {
  const out: T[] = [];
  let next: string | null = null;
  const sep = path.includes('?') ? '&' : '?';
  do {
    const page: Answer<T[]> = await call<T[]>('GET', `${path}${sep}count=100${next ? `&ct=${encodeURIComponent(next)}` : ''}`);
    out.push(...page.data);
    next = page.next;
  } while (next && out.length < 2_000);
  return out;
}

export const query = (params: Record<string, string | number | undefined | null>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};
