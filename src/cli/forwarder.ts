/**
 * `hookd listen`: brings a workspace's events to a server on the developer's machine. It
 * negotiates a listen grant, holds the WebSocket, and re-posts each event to the local URL in
 * the chosen format, signed with a local secret (stable across runs, kept in the user's config
 * directory) exactly as hookd signs real deliveries, printing one line per event.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request, WebSocket } from 'undici';
import { newWebhookSecret } from '../domain/ids.js';
import type { EndpointFormat, HookdEvent } from '../domain/types.js';
import { serialisePayload } from '../delivery/payload.js';
import { signatureHeaders } from '../delivery/signing.js';
import { retryDelay } from '../delivery/retry-policy.js';
import { VERSION } from '../version.js';
import { clientOf, configDir, type ApiTarget } from './target.js';
import { CLOSE_EXPIRED, CLOSE_REVOKED, SUBPROTOCOL } from '../realtime/grant.js';
import { printable } from '../domain/terminal-text.js';

/** ms: reconnect backoff bounds after a dropped socket. */
const BACKOFF_MIN = 500;
const BACKOFF_MAX = 10_000;
/** ms a local answer may take before the line says it timed out. */
const FORWARD_TIMEOUT = 10_000;

/** The local signing secret: created once, then the same on every run, so the local server's config stays valid. */
export function localSecret(dir = configDir()): string {
  const file = join(dir, 'listen-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dir, { recursive: true });
  const secret = newWebhookSecret();
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/** The public event object, back into the record the payload formats are written from. */
function recordOf(o: Record<string, unknown>): HookdEvent {
  const req = (o.request ?? {}) as { id?: string; idempotency_key?: string | null };
  return {
    id: String(o.id), type: String(o.type), created: Date.parse(String(o.created)), updated: Date.parse(String(o.updated ?? o.created)),
    data: o.data as HookdEvent['data'], requestId: req.id ?? '', idempotencyKey: req.idempotency_key ?? null, redaction: null,
    workspace: String(o.workspace), live: Boolean(o.live), etag: '',
  };
}

export interface ListenOptions {
  target: ApiTarget;
  forwardTo: string;
  events: string[];
  format: EndpointFormat;
  secret: string;
  typePrefix?: string;
  print: (line: string) => void;
  signal: AbortSignal;
}

export async function forward(event: HookdEvent, options: Pick<ListenOptions, 'forwardTo' | 'format' | 'secret' | 'typePrefix'>): Promise<{ status: number | null; ms: number; error?: string }> {
  const body = serialisePayload(event, options.format, options.typePrefix ?? 'io.falu.');
  const headers = {
    'content-type': 'application/json', 'user-agent': `hookd-listen/${VERSION}`,
    ...signatureHeaders([options.secret], event.id, Math.floor(Date.now() / 1000), body),
  };
  const started = Date.now();
  try {
    const res = await request(options.forwardTo, { method: 'POST', headers, body, signal: AbortSignal.timeout(FORWARD_TIMEOUT) });
    await res.body.dump();
    return { status: res.statusCode, ms: Date.now() - started };
  } catch (err) {
    return { status: null, ms: Date.now() - started, error: (err as { code?: string }).code ?? (err as Error).message };
  }
}

/**
 * The line printed for one forwarded event. The type and id come from the server, the error
 * from the local server's connection: printable, like every line of listen.
 */
export function forwardedLine(at: Date, event: Pick<HookdEvent, 'type' | 'id'>, result: { status: number | null; ms: number; error?: string }): string {
  const outcome = result.status === null ? `failed (${result.error})` : String(result.status);
  return printable(`${at.toISOString()}  ${printable(event.type).padEnd(32)} ${event.id}  → ${outcome}  ${result.ms} ms`);
}

/** Runs until `signal` aborts: negotiate, listen, forward; reconnect on drops, negotiate again on expiry. */
export async function runListen(options: ListenOptions): Promise<void> {
  const { target, signal } = options;
  // Grants, events and errors come from the server: no raw control character reaches the terminal.
  const print = (line: string) => options.print(printable(line));
  const client = clientOf(target);
  let backoff = 0;
  while (!signal.aborted) {
    let closeCode = 0;
    try {
      const grant = await client.realtime.negotiateEvents(options.events.length > 0 ? { events: options.events } : {});
      closeCode = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(grant.url, { protocols: [SUBPROTOCOL], headers: { authorization: `Bearer ${grant.token}` } } as never);
        const stop = () => ws.close(1000, 'listen stopped');
        signal.addEventListener('abort', stop, { once: true });
        ws.addEventListener('open', () => {
          backoff = 0;
          print(`Ready. Forwarding ${grant.live ? 'live' : 'test'} events of ${grant.workspace} to ${options.forwardTo} (grant ends ${grant.expires})`);
        });
        ws.addEventListener('message', (e) => {
          const message = JSON.parse(String(e.data)) as { type: string; object: Record<string, unknown> };
          if (message.type !== 'event') return;
          const event = recordOf(message.object);
          void forward(event, options).then((r) => print(forwardedLine(new Date(), event, r)));
        });
        ws.addEventListener('close', (e) => {
          signal.removeEventListener('abort', stop);
          resolve(e.code);
        });
        ws.addEventListener('error', () => reject(new Error('the listen socket failed')));
      });
    } catch (err) {
      print(`hookd listen: ${(err as Error).message}`);
    }
    if (signal.aborted) return;
    // Negotiating again right away is right for both: a key that still works gets a new grant,
    // one that does not gets 401, and the loop backs off below from then on.
    if (closeCode === CLOSE_EXPIRED || closeCode === CLOSE_REVOKED) {
      print(closeCode === CLOSE_EXPIRED ? 'The listen grant ended; negotiating a new one.' : 'The workspace\'s keys were rolled; negotiating a new grant.');
      continue;
    }
    backoff = retryDelay(backoff, { first: BACKOFF_MIN, max: BACKOFF_MAX });
    print(`Disconnected; reconnecting in ${backoff} ms.`);
    await new Promise((r) => setTimeout(r, backoff));
  }
}
