/**
 * The listen hub: open WebSocket sessions by workspace and mode, and the events they should
 * see. A publish in this process reaches its sessions at once; with PostgreSQL, where the
 * publish may land on another API process, the hub also reads new events of the workspaces it
 * has sessions for every TICK_MS. Each session remembers what it was sent, so an event that
 * arrives both ways is sent once.
 *
 * A session ends when its grant does (docs/security.md, "Listen grants"): at its `expires`, by
 * the injected clock, and when its workspace's keys are rolled. A roll in this process ends
 * the sessions at once (revoke); one in another process is seen on the next tick, which reads
 * the key generation of every workspace with sessions, on SQLite too (it also catches a roll
 * that lands between a socket's admission and its joining the hub).
 *
 * A client may narrow what it receives with a subscribe message (routes.ts, messages.ts); a
 * session of Falu's CLI's subscribing versions receives nothing before one.
 */
import type { FastifyBaseLogger } from 'fastify';
import type { Clock } from '../domain/clock.js';
import { HookdError } from '../domain/errors.js';
import { subscriptionCovers } from '../domain/event-matching.js';
import type { HookdEvent, Mode } from '../domain/types.js';
import type { Store } from '../store/types.js';
import { CLOSE_EXPIRED, CLOSE_REVOKED } from './grant.js';
import { eventMessage } from './messages.js';

/** ms between ticks: the bound on how late an expiry or another process's roll ends a session. */
const TICK_MS = 500;
/** ms of overlap between reads: events committed a little late (clock skew between API processes) are still seen. */
const OVERLAP_MS = 2_000;
const REMEMBERED = 2_000;

export interface Session {
  mode: Mode;
  events: string[];
  /** The grant's: the session ends once its workspace's generation is past it. */
  keyGeneration: number;
  /** Unix ms: the grant's end. */
  expires: number;
  /** Bytes one message may hold (Falu's CLI's buffer); absent: no limit. */
  maxMessageBytes?: number;
  /** No event is sent before the client's subscribe message (Falu's CLI's versions that send one). */
  awaitsSubscription?: boolean;
  send(message: string): void;
  /** Closes the socket; the hub has already let go of the session. */
  close(code: number, reason: string): void;
}

interface Tracked extends Session {
  sent: Set<string>;
  /** The types of the client's last subscribe message, on top of the grant's; null before one. */
  subscribed: string[] | null;
}

/** What the socket's owner may do with its session. */
export interface SessionHandle {
  /** Ends the session, for when its socket closes. */
  remove(): void;
  /** The client subscribed: from now on only these types (empty: every type), within the grant's. */
  subscribe(types: string[]): void;
}

export function createHub(options: { store: Store; clock: Clock; log: FastifyBaseLogger; maxSessionsPerMode: number }) {
  const { store, clock, log, maxSessionsPerMode } = options;
  const sessions = new Set<Tracked>();
  const since = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let ticking = false;

  const modeKey = (m: Mode) => `${m.workspace}:${m.live}`;
  const count = (mode: Mode) => [...sessions].filter((s) => modeKey(s.mode) === modeKey(mode)).length;

  function drop(session: Tracked): boolean {
    if (!sessions.delete(session)) return false;
    if (![...sessions].some((s) => modeKey(s.mode) === modeKey(session.mode))) since.delete(modeKey(session.mode));
    if (sessions.size === 0 && timer) {
      clearInterval(timer);
      timer = null;
    }
    return true;
  }

  function end(session: Tracked, code: number, reason: string): void {
    if (drop(session)) session.close(code, reason);
  }

  const expire = (s: Tracked) => end(s, CLOSE_EXPIRED, 'listen token expired; negotiate again');
  const revoked = (s: Tracked) => end(s, CLOSE_REVOKED, 'the workspace\'s keys were rolled; negotiate again');

  function remember(session: Tracked, id: string): void {
    session.sent.add(id);
    if (session.sent.size > REMEMBERED) session.sent.delete(session.sent.values().next().value as string);
  }

  function deliver(session: Tracked, event: HookdEvent): void {
    if (clock.now() >= session.expires) return expire(session);
    if (session.sent.has(event.id)) return;
    if (session.events.length > 0 && !subscriptionCovers(session.events, event.type)) return;
    const subscribed = session.subscribed;
    // Remembered as if sent: the PostgreSQL read, which overlaps, must not send it once subscribed.
    if (subscribed === null && session.awaitsSubscription) return remember(session, event.id);
    if (subscribed !== null && subscribed.length > 0 && !subscriptionCovers(subscribed, event.type)) return;
    remember(session, event.id);
    session.send(eventMessage(event, session.maxMessageBytes));
  }

  function publish(event: HookdEvent): void {
    for (const s of [...sessions]) if (s.mode.workspace === event.workspace && s.mode.live === event.live) deliver(s, event);
  }

  async function checkGenerations(): Promise<void> {
    const asked = new Set([...sessions].map((s) => s.mode.workspace));
    if (asked.size === 0) return;
    try {
      const generations = await store.keyGenerations([...asked]);
      for (const s of [...sessions]) {
        // A session that joined during the read, for a workspace not asked about, waits for the next tick.
        if (!asked.has(s.mode.workspace)) continue;
        const current = generations.get(s.mode.workspace);
        if (current === undefined || s.keyGeneration < current) revoked(s);
      }
    } catch (err) {
      log.warn({ err }, 'listen hub could not read key generations; trying again');
    }
  }

  async function pollEvents(): Promise<void> {
    const modes = new Map<string, Mode>();
    for (const s of sessions) modes.set(modeKey(s.mode), s.mode);
    for (const [key, mode] of modes) {
      const from = since.get(key) ?? clock.now();
      const started = clock.now();
      try {
        const page = await store.listEvents(mode, { limit: 100, sort: 'asc', created: { gte: from - OVERLAP_MS } });
        for (const event of page.items) publish(event);
        if (since.has(key)) since.set(key, page.next && page.items.length > 0 ? page.items[page.items.length - 1]!.created : started);
      } catch (err) {
        log.warn({ err }, 'listen hub could not read new events; trying again');
      }
    }
  }

  async function tick(): Promise<void> {
    // A tick slower than TICK_MS (a slow store) is not overlapped by the next.
    if (ticking) return;
    ticking = true;
    try {
      const now = clock.now();
      for (const s of [...sessions]) if (now >= s.expires) expire(s);
      await checkGenerations();
      if (store.dialect === 'postgres') await pollEvents();
    } finally {
      ticking = false;
    }
  }

  /** Throws 429 when the workspace and mode hold as many sessions as they may; the other mode has places of its own. */
  function checkRoom(mode: Mode): void {
    if (count(mode) < maxSessionsPerMode) return;
    throw new HookdError('rate_limited', 'Too many listen sessions', {
      detail: `A workspace may hold ${maxSessionsPerMode} listen sessions at once in ${mode.live ? 'live' : 'test'} mode (HOOKD_MAX_LISTEN_SESSIONS). Close one first.`,
      retryAfter: 5,
    });
  }

  return {
    checkRoom,
    /** Adds a session (429 as checkRoom says). */
    add(session: Session): SessionHandle {
      checkRoom(session.mode);
      const tracked: Tracked = { ...session, sent: new Set(), subscribed: null };
      sessions.add(tracked);
      if (!since.has(modeKey(session.mode))) since.set(modeKey(session.mode), clock.now());
      if (!timer) {
        timer = setInterval(() => void tick(), TICK_MS);
        timer.unref();
      }
      return {
        remove: () => void drop(tracked),
        subscribe: (types) => void (tracked.subscribed = types),
      };
    },
    publish,
    /** The workspace's keys were rolled here to `generation`: its older sessions end now. */
    revoke(workspace: string, generation: number): void {
      for (const s of [...sessions]) if (s.mode.workspace === workspace && s.keyGeneration < generation) revoked(s);
    },
    /** Open sessions of one workspace and mode. */
    count,
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
