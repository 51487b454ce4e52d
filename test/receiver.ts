/**
 * A real HTTP receiver on 127.0.0.1:0 for delivery tests: records every request (headers, exact
 * body bytes, arrival time) and answers as the test says, including never; it can go down
 * (connections refused) and come back on the same port.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { until } from './wait.js';

export interface Received {
  /** The request path, e.g. /webhooks/2: tells endpoints that share one receiver apart. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  /** HTTPS with `requestCert`: the subject CN of the client certificate presented, if any. */
  client?: string;
}

/** Decides the answer for the n-th request (0-based); return 'hang' to never answer. */
export type Behaviour = (n: number, req: Received) =>
  | { status: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  behave(b: Behaviour): void;
  /** Resolves when `count` requests have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  /**
   * Answers every request held by 'hang' whose connection is still open, and reports the
   * others: a held request whose client went away (a killed sender) was never answered.
   */
  releaseHanging(status?: number): { answered: Received[]; lost: Received[] };
  /** How many requests held by 'hang' have lost their client so far (they stay held until released). */
  closedWhileHeld(): number;
  /**
   * The most requests it has held unanswered at one time (read in full, answer not yet
   * written): a sender that waits for each answer before the next request keeps it at 1.
   */
  peakOpen(): number;
  /** Stops listening (new connections are refused) and drops open ones, held requests included. */
  down(): Promise<void>;
  /** Listens again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

export interface ReceiverOptions {
  /**
   * Keep only the path, the webhook-id header and the arrival time of each request: runs of
   * hundreds of thousands of deliveries would otherwise hold every body in the test process.
   */
  light?: boolean;
  /**
   * HTTPS instead of HTTP (test/tls-certs.ts makes the PEMs); `requestCert` with `ca` asks for
   * a client certificate and refuses a connection without one from that CA (mutual TLS).
   */
  tls?: { cert: string; key: string; ca?: string; requestCert?: boolean };
  /** The host the URL names (default 127.0.0.1; it listens there either way), e.g. localhost for a certificate checked by name. */
  host?: string;
}

export async function startReceiver(behaviour: Behaviour = () => ({ status: 200, body: 'ok' }), options: ReceiverOptions = {}): Promise<Receiver> {
  let behave = behaviour;
  const received: Received[] = [];
  const hanging = new Map<ServerResponse, Received>();
  const lostConnection = new WeakSet<ServerResponse>();
  const waiters: (() => void)[] = [];
  let open = 0;
  let peak = 0;
  const onRequest = (req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => void (options.light || chunks.push(c)));
    req.on('end', () => {
      const r: Received = options.light
        ? { path: req.url ?? '', headers: { 'webhook-id': req.headers['webhook-id'] }, body: '', at: Date.now() }
        : { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      if (options.tls?.requestCert) r.client = (req.socket as TLSSocket).getPeerCertificate().subject?.CN as string | undefined;
      const n = received.length;
      received.push(r);
      // 'close' comes on the tick the answer is written (or the connection is lost), before any
      // later request can be read: a sender that waits for the answer never sees two open.
      peak = Math.max(peak, ++open);
      res.once('close', () => open--);
      for (const w of waiters.splice(0)) w();
      const answer = behave(n, r);
      if (answer === 'hang') {
        hanging.set(res, r);
        // Before an answer, 'close' means the client's connection is gone.
        res.once('close', () => lostConnection.add(res));
        return;
      }
      const send = () => res.writeHead(answer.status, answer.headers).end(answer.body ?? '');
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  };
  const { tls } = options;
  const server = tls
    ? createHttpsServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: tls.requestCert ?? false, rejectUnauthorized: tls.requestCert ?? false }, onRequest)
    : createServer(onRequest);
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const { port } = server.address() as AddressInfo;
  const dropAll = async () => {
    for (const res of hanging.keys()) res.destroy();
    hanging.clear();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return {
    url: `${tls ? 'https' : 'http'}://${options.host ?? '127.0.0.1'}:${port}/webhooks`,
    received,
    behave(b) {
      behave = b;
    },
    async waitFor(count, timeoutMs = 10_000) {
      // Woken by each request, so a test goes on as soon as the count is reached.
      const nextRequest = () => new Promise<void>((resolve) => {
        waiters.push(resolve);
        setTimeout(resolve, 50);
      });
      await until(() => `the receiver got ${count} requests (it got ${received.length})`, () => received.length >= count, timeoutMs, nextRequest);
      return received;
    },
    releaseHanging(status = 200) {
      const answered: Received[] = [];
      const lost: Received[] = [];
      for (const [res, r] of hanging) {
        if (lostConnection.has(res)) lost.push(r);
        else {
          res.writeHead(status).end();
          answered.push(r);
        }
      }
      hanging.clear();
      return { answered, lost };
    },
    peakOpen: () => peak,
    closedWhileHeld: () => [...hanging.keys()].filter((res) => lostConnection.has(res)).length,
    down: dropAll,
    up: () => listen(port),
    async close() {
      if (server.listening) await dropAll();
    },
  };
}

/** Arrivals per (webhook-id, path), kept up to date incrementally: a receiver may hold hundreds of thousands. */
export function pairCounter(receiver: Receiver) {
  const counts = new Map<string, number>();
  let seen = 0;
  const update = () => {
    for (; seen < receiver.received.length; seen++) {
      const r = receiver.received[seen]!;
      const key = `${String(r.headers['webhook-id'])}${r.path}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return counts;
  };
  return {
    update,
    /** Expected pairs (`<webhook-id><path>`) not yet arrived. */
    missing: (expected: string[]) => {
      const c = update();
      return expected.filter((k) => !c.has(k));
    },
    /** Pairs that arrived more than once, with their counts. */
    duplicates: () => [...update()].filter(([, n]) => n > 1),
    /** Arrivals beyond the first of each pair. */
    extraArrivals: () => [...update().values()].reduce((sum, n) => sum + n - 1, 0),
  };
}
