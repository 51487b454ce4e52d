/**
 * The receiver every system delivers to: a bare node:http server in its own process (so its
 * CPU is nobody's and it never waits on the harness's event loop). It answers 200 at once on
 * /ep/<n>, after <ms> on /delay/<ms>/<n> (a receiver's own work, for the fifo scenario), never
 * on /hang/<n> (the dead endpoints of the isolation scenario), and counts what arrives by
 * (endpoint, webhook-id), so duplicates are seen and not counted twice.
 *
 * Controlled by the harness over IPC: reset, stats, wait, records, down/up (close and reopen
 * the port, for the backlog scenario), release (drop hanging requests).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { monoNow } from './lib/clock.js';

export interface ReceiverStats {
  /** Requests to healthy endpoints, duplicates included. */
  count: number;
  /** Distinct (endpoint, webhook-id) pairs. */
  unique: number;
  duplicates: number;
  /** Monotonic ms (lib/clock) of the first and last healthy arrival since reset; 0 when none. */
  first: number;
  last: number;
  /** Requests to /hang/ paths held open now, and all that arrived since reset. */
  hanging: number;
  hangArrivals: number;
  /** Requests without a webhook-id header: a system sent something this harness did not expect. */
  withoutId: number;
  /** The most requests any one healthy endpoint had open at once: 1 for an ordered endpoint. */
  maxConcurrent: number;
}

/** [webhook-id, endpoint number, arrival (monotonic ms)] */
export type ReceiverRecord = [string, number, number];

export type ReceiverCommand =
  | { cmd: 'reset'; record: boolean }
  | { cmd: 'stats' }
  | { cmd: 'wait'; unique: number; timeoutMs: number }
  | { cmd: 'records' }
  | { cmd: 'down' }
  | { cmd: 'up' }
  | { cmd: 'release' };

let stats: ReceiverStats = fresh();
let seen = new Set<string>();
let record = false;
let records: ReceiverRecord[] = [];
/** After `release`, hang paths are cut at once instead of held, until the next reset. */
let cutHangs = false;
const hanging = new Set<ServerResponse>();
const sockets = new Set<Socket>();
/** Requests open now, by endpoint number. */
const open = new Map<number, number>();
let waiters: { unique: number; resolve: () => void }[] = [];

function fresh(): ReceiverStats {
  return { count: 0, unique: 0, duplicates: 0, first: 0, last: 0, hanging: 0, hangArrivals: 0, withoutId: 0, maxConcurrent: 0 };
}

function handle(req: IncomingMessage, res: ServerResponse): void {
  const at = monoNow();
  const url = req.url ?? '';
  if (url.startsWith('/hang/')) {
    stats.hangArrivals++;
    if (cutHangs) {
      req.socket.destroy();
      return;
    }
    hanging.add(res);
    res.on('close', () => hanging.delete(res));
    return;
  }
  const id = req.headers['webhook-id'];
  const endpoint = Number(url.slice(url.lastIndexOf('/') + 1)) || 0;
  if (typeof id !== 'string') stats.withoutId++;
  else {
    stats.count++;
    const key = `${endpoint}|${id}`;
    if (seen.has(key)) stats.duplicates++;
    else {
      seen.add(key);
      stats.unique++;
      if (stats.first === 0) stats.first = at;
      stats.last = at;
      if (record) records.push([id, endpoint, at]);
      if (waiters.length > 0) wakeWaiters();
    }
  }
  const now = (open.get(endpoint) ?? 0) + 1;
  open.set(endpoint, now);
  stats.maxConcurrent = Math.max(stats.maxConcurrent, now);
  const delay = url.startsWith('/delay/') ? Number(url.split('/')[2]) || 0 : 0;
  const answer = () => {
    open.set(endpoint, (open.get(endpoint) ?? 1) - 1);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  };
  // Read the body to its end before answering, as any real receiver must to verify a signature.
  req.resume();
  req.on('end', () => (delay > 0 ? setTimeout(answer, delay) : answer()));
}

function wakeWaiters(): void {
  const still: typeof waiters = [];
  for (const w of waiters) {
    if (stats.unique >= w.unique) w.resolve();
    else still.push(w);
  }
  waiters = still;
}

const server = createServer({ keepAliveTimeout: 60_000 }, handle);
server.on('connection', (socket: Socket) => {
  sockets.add(socket);
  socket.on('close', () => sockets.delete(socket));
});
let port = 0;

function listen(): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      port = (server.address() as AddressInfo).port;
      resolve();
    });
  });
}

async function run(command: ReceiverCommand): Promise<unknown> {
  switch (command.cmd) {
    case 'reset':
      stats = fresh();
      seen = new Set();
      record = command.record;
      records = [];
      cutHangs = false;
      open.clear();
      return null;
    case 'stats':
      return { ...stats, hanging: hanging.size };
    case 'wait':
      if (stats.unique < command.unique) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, command.timeoutMs);
          waiters.push({ unique: command.unique, resolve: () => (clearTimeout(timer), resolve()) });
        });
      }
      return { ...stats, hanging: hanging.size };
    case 'records':
      return records;
    case 'down':
      // Refused connections from now on, as a receiver that is down; open keep-alive sockets go too.
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return null;
    case 'up':
      await listen();
      return null;
    case 'release':
      cutHangs = true;
      for (const res of hanging) res.socket?.destroy();
      return null;
  }
}

process.on('message', (message: { id: number } & ReceiverCommand) => {
  run(message).then(
    (result) => process.send?.({ id: message.id, result }),
    (err: unknown) => process.send?.({ id: message.id, error: (err as Error).message }),
  );
});
// The harness owns this process: when the IPC channel closes, the harness is gone.
process.on('disconnect', () => process.exit(0));

await listen();
process.send?.({ ready: true, port });
