/**
 * The options of createClient, checked when the client is made: a misspelt option fails at
 * once with the name it probably meant (as undici does), instead of being ignored until a
 * request goes to the wrong workspace.
 */

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** The hookd API's base URL, e.g. `https://hooks.example.com` (a path prefix is kept). */
  url: string;
  /** A workspace key (`fskt_…`, `fskl_…`), a portal session (`hkps_…`) or the platform key. */
  key: string;
  /** With the platform key: the workspace to act for, sent as X-Workspace-Id. */
  workspace?: string;
  /** With the platform key: live mode (true) or test mode (false), sent as X-Live-Mode. */
  live?: boolean;
  /** A Fetch API implementation; default `globalThis.fetch`. */
  fetch?: FetchLike;
  /** ms one try may take before it fails with code `timeout`; default 30_000 (30 s). */
  timeout?: number;
  /** ms a call may spend in all, tries and waits, before it gives up with the last failure; default 60_000 (1 min). 0: never retry. */
  maxRetryTime?: number;
  /** Headers sent with every request (a User-Agent, a tracing header). */
  headers?: Record<string, string>;
  /** For tests: how to wait `ms` (default setTimeout), the clock in ms (default Date.now), and the jitter's source (default Math.random). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
  random?: () => number;
}

export interface Settings {
  base: string;
  key: string;
  workspace: string | undefined;
  live: boolean | undefined;
  fetch: FetchLike;
  timeout: number;
  maxRetryTime: number;
  headers: Record<string, string>;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  now: () => number;
  random: () => number;
}

const DEFAULT_TIMEOUT = 30_000;
const DEFAULT_MAX_RETRY_TIME = 60_000;

type Check = (value: unknown) => string | null;
const isString: Check = (v) => (typeof v === 'string' && v.length > 0 ? null : 'must be a non-empty string');
const isFunction: Check = (v) => (typeof v === 'function' ? null : 'must be a function');
const isMs: Check = (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'must be a number of milliseconds, 0 or more');

const CHECKS: Record<keyof ClientOptions, Check> = {
  url: (v) => {
    if (typeof v !== 'string') return 'must be a string such as "https://hooks.example.com"';
    let url: URL;
    try {
      url = new URL(v);
    } catch {
      return `must be an absolute URL, got "${v}"`;
    }
    return url.protocol === 'http:' || url.protocol === 'https:' ? null : `must use http or https, got "${url.protocol}"`;
  },
  key: isString,
  workspace: isString,
  live: (v) => (typeof v === 'boolean' ? null : 'must be true or false'),
  fetch: isFunction,
  timeout: (v) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? null : 'must be a number of milliseconds above 0'),
  maxRetryTime: isMs,
  headers: (v) => (typeof v === 'object' && v !== null && Object.values(v).every((h) => typeof h === 'string') ? null : 'must be an object of strings'),
  sleep: isFunction,
  now: isFunction,
  random: isFunction,
};
const NAMES = Object.keys(CHECKS);

/** Edit distance, for the hint: small, as option names are short. */
function distance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The option an unknown name most likely meant: same letters in another case, a prefix or suffix (`workspaceId`, `apiKey`), or a near spelling. */
export function likelyOption(name: string): string | undefined {
  const lower = name.toLowerCase();
  const exact = NAMES.find((n) => n.toLowerCase() === lower);
  if (exact) return exact;
  const prefix = NAMES.find((n) => lower.startsWith(n.toLowerCase()) || lower.endsWith(n.toLowerCase()) || n.toLowerCase().startsWith(lower));
  if (prefix && Math.min(name.length, prefix.length) >= 3) return prefix;
  const [best] = NAMES.map((n) => [n, distance(lower, n.toLowerCase())] as const).sort((a, b) => a[1] - b[1]);
  return best && best[1] <= Math.max(1, Math.floor(best[0].length / 3)) ? best[0] : undefined;
}

const defaultSleep = (ms: number, signal?: AbortSignal) => new Promise<void>((resolve, reject) => {
  if (signal?.aborted) return reject(signal.reason);
  const timer = setTimeout(() => {
    signal?.removeEventListener('abort', stop);
    resolve();
  }, ms);
  const stop = () => {
    clearTimeout(timer);
    reject(signal?.reason);
  };
  signal?.addEventListener('abort', stop, { once: true });
});

/** The options checked, with their defaults. Throws a TypeError naming the option and the rule. */
export function resolveOptions(options: ClientOptions): Settings {
  if (typeof options !== 'object' || options === null) throw new TypeError('createClient: options must be an object such as { url, key }');
  for (const [name, value] of Object.entries(options)) {
    if (!(name in CHECKS)) {
      const hint = likelyOption(name);
      throw new TypeError(`createClient: unknown option "${name}"${hint ? ` (did you mean "${hint}"?)` : ''}; the options are ${NAMES.join(', ')}`);
    }
    if (value === undefined) continue;
    const problem = CHECKS[name as keyof ClientOptions](value);
    if (problem) throw new TypeError(`createClient: option "${name}" ${problem}`);
  }
  for (const name of ['url', 'key'] as const) if (options[name] === undefined) throw new TypeError(`createClient: option "${name}" is required`);
  const fetch = options.fetch ?? (typeof globalThis.fetch === 'function' ? globalThis.fetch.bind(globalThis) : undefined);
  if (!fetch) throw new TypeError('createClient: this runtime has no global fetch; pass option "fetch" (undici\'s, say)');
  return {
    base: options.url.replace(/\/+$/, ''),
    key: options.key,
    workspace: options.workspace,
    live: options.live,
    fetch,
    timeout: options.timeout ?? DEFAULT_TIMEOUT,
    maxRetryTime: options.maxRetryTime ?? DEFAULT_MAX_RETRY_TIME,
    headers: { ...options.headers },
    sleep: options.sleep ?? defaultSleep,
    now: options.now ?? Date.now,
    random: options.random ?? Math.random,
  };
}
