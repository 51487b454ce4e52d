/**
 * The listen hub: open WebSocket sessions by workspace and mode, and the events they should
 * see. A publish in this process reaches its sessions at once; with PostgreSQL, where the
 * publish may land on another API process, the hub also reads new events of the workspaces it
 * has sessions for every POLL_MS. Each session remembers what it was sent, so an event that
 * arrives both ways is sent once.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../domain/clock.js';
import { HookdError } from '../domain/errors.js';
import { subscriptionCovers } from '../domain/event-matching.js';
import { renderEvent } from '../domain/render.js';
import type { HookdEvent, Mode } from '../domain/types.js';
import type { Store } from '../store/types.js';

/** ms between reads of new events (PostgreSQL only). */
const POLL_MS = 500;
/** ms of overlap between reads: events committed a little late (clock skew between API processes) are still seen. */
const OVERLAP_MS = 2_000;
const REMEMBERED = 2_000;

export interface Session {
  mode: Mode;
  events: string[];
  send(message: string): void;
}

interface Tracked extends Session {
  sent: Set<string>;
}

export function createHub(options: { store: Store; clock: Clock; log: FastifyBaseLogger; maxSessionsPerWorkspace: number }) {
  const { store, clock, log, maxSessionsPerWorkspace } = options;
  const sessions = new Set<Tracked>();
  const since = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;

  const modeKey = (m: Mode) => `${m.workspace}:${m.live}`;

  function deliver(session: Tracked, event: HookdEvent): void {
    if (session.sent.has(event.id)) return;
    if (session.events.length > 0 && !subscriptionCovers(session.events, event.type)) return;
    session.sent.add(event.id);
    if (session.sent.size > REMEMBERED) session.sent.delete(session.sent.values().next().value as string);
    session.send(JSON.stringify({ type: 'event', object: renderEvent(event) }));
  }

  function publish(event: HookdEvent): void {
    for (const s of sessions) if (s.mode.workspace === event.workspace && s.mode.live === event.live) deliver(s, event);
  }

  async function poll(): Promise<void> {
    const modes = new Map<string, Mode>();
    for (const s of sessions) modes.set(modeKey(s.mode), s.mode);
    for (const [key, mode] of modes) {
      const from = since.get(key) ?? clock.now();
      const started = clock.now();
      try {
        const page = await store.listEvents(mode, { limit: 100, sort: 'asc', created: { gte: from - OVERLAP_MS } });
        for (const event of page.items) publish(event);
        since.set(key, page.next && page.items.length > 0 ? page.items[page.items.length - 1]!.created : started);
      } catch (err) {
        log.warn({ err }, 'listen hub could not read new events; trying again');
      }
    }
  }

  function schedule(): void {
    if (timer || store.dialect !== 'postgres') return;
    timer = setInterval(() => void poll(), POLL_MS);
    timer.unref();
  }

  return {
    /** Adds a session; throws 429 when its workspace has as many as it may. Returns its removal. */
    add(session: Session): () => void {
      if (this.count(session.mode.workspace) >= maxSessionsPerWorkspace) {
        throw new HookdError('rate_limited', 'Too many listen sessions', {
          detail: `A workspace may hold ${maxSessionsPerWorkspace} listen sessions at once (HOOKD_MAX_LISTEN_SESSIONS). Close one first.`,
          retryAfter: 5,
        });
      }
      const tracked: Tracked = { ...session, sent: new Set() };
      sessions.add(tracked);
      if (!since.has(modeKey(session.mode))) since.set(modeKey(session.mode), clock.now());
      schedule();
      return () => {
        sessions.delete(tracked);
        if (![...sessions].some((s) => modeKey(s.mode) === modeKey(session.mode))) since.delete(modeKey(session.mode));
        if (sessions.size === 0 && timer) {
          clearInterval(timer);
          timer = null;
        }
      };
    },
    publish,
    /** Open sessions of a workspace (both modes). */
    count(workspace: string): number {
      return [...sessions].filter((s) => s.mode.workspace === workspace).length;
    },
    get size(): number {
      return sessions.size;
    },
    close(): void {
      if (timer) clearInterval(timer);
      timer = null;
      sessions.clear();
    },
  };
}

export type Hub = ReturnType<typeof createHub>;
