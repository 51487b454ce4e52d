/**
 * A small client of hookd's own API for the CLI (`hookd listen`, `hookd trigger`, …): base URL,
 * key, and for the platform key the workspace and mode headers. A problem answer becomes an
 * error carrying the problem's words, so the CLI prints what the server said.
 */
import { request } from 'undici';

export interface ApiTarget {
  url: string;
  key: string;
  /** With the platform key: the workspace to act for, and the mode. */
  workspace?: string;
  live?: boolean;
}

export class ApiError extends Error {
  constructor(readonly status: number, readonly problem: { title?: string; detail?: string; errors?: Record<string, string[]> }) {
    const fields = problem.errors ? ' ' + Object.entries(problem.errors).map(([f, m]) => `${f}: ${m.join(', ')}`).join('; ') : '';
    // The detail already names the fields when there is one; the list is for answers without it.
    super(`${status} ${problem.title ?? 'request failed'}${problem.detail ? ` — ${problem.detail}` : fields}`);
  }
}

export async function callApi<T>(target: ApiTarget, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { authorization: `Bearer ${target.key}` };
  if (target.workspace) headers['x-workspace-id'] = target.workspace;
  if (target.live !== undefined) headers['x-live-mode'] = String(target.live);
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await request(`${target.url.replace(/\/+$/, '')}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.body.text();
  if (res.statusCode >= 400) {
    let problem: ConstructorParameters<typeof ApiError>[1] = { title: text.slice(0, 200) };
    try {
      problem = JSON.parse(text) as typeof problem;
    } catch {
      // not JSON: keep the start of the text
    }
    throw new ApiError(res.statusCode, problem);
  }
  return (text ? JSON.parse(text) : undefined) as T;
}
