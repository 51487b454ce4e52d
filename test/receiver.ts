/**
 * A real HTTP receiver on 127.0.0.1:0 for delivery tests: records every request (headers, exact
 * body bytes, arrival time) and answers as the test says, including never.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  /** The request path, e.g. /webhooks/2: tells endpoints that share one receiver apart. */
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
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
  close(): Promise<void>;
}

export async function startReceiver(behaviour: Behaviour = () => ({ status: 200, body: 'ok' })): Promise<Receiver> {
  let behave = behaviour;
  const received: Received[] = [];
  const hanging = new Map<ServerResponse, Received>();
  const lostConnection = new WeakSet<ServerResponse>();
  const waiters: (() => void)[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = { path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      const n = received.length;
      received.push(r);
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
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    received,
    behave(b) {
      behave = b;
    },
    async waitFor(count, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`receiver got ${received.length} of ${count} requests in ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 50);
        });
      }
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
    async close() {
      for (const res of hanging.keys()) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
