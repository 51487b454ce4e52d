/**
 * A scripted fetch and a fake clock for the client's unit tests: each call takes the next
 * answer of the script and is recorded; `sleep` advances the clock instead of waiting, so
 * retries and give-ups are tested without a real timer.
 */
import type { ClientOptions } from '../src/index.js';

export interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** An answer: a status with a JSON body and headers, or a thrown error (a network failure). */
export type Scripted = { status: number; body?: unknown; text?: string; headers?: Record<string, string> } | { throws: unknown };

export function fake(script: Scripted[], start = 1_000_000) {
  const calls: Recorded[] = [];
  const sleeps: number[] = [];
  let now = start;
  const fetch = async (url: string, init: RequestInit): Promise<Response> => {
    calls.push({
      method: String(init.method), url,
      headers: Object.fromEntries(new Headers(init.headers).entries()),
      body: init.body === undefined ? undefined : JSON.parse(String(init.body)),
    });
    const next = script.shift();
    if (!next) throw new Error(`the script has no answer for call ${calls.length}: ${init.method} ${url}`);
    if ('throws' in next) throw next.throws;
    const text = next.text ?? (next.body === undefined ? '' : JSON.stringify(next.body));
    const contentType = next.status >= 400 ? 'application/problem+json' : 'application/json';
    return new Response(next.status === 204 ? null : text, { status: next.status, headers: { 'content-type': contentType, ...next.headers } });
  };
  const options = {
    url: 'http://hookd.test', key: 'fskt_test', fetch,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    now: () => now,
    random: () => 0.5,
  } satisfies ClientOptions;
  return { calls, sleeps, options, elapsed: () => now - start, advance: (ms: number) => (now += ms) };
}

export const problem = (code: string, status: number, more: Record<string, unknown> = {}) => ({
  type: `urn:hookd:problem:${code}`, title: code.replace(/_/g, ' '), status, traceId: 'req_1', ...more,
});

/** A Node fetch failure: TypeError "fetch failed" with the socket's error as its cause. */
export const refused = () => Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }) });
