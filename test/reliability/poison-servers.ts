/**
 * Endpoints that misbehave on purpose, for the poison input scenario: a 200 with a 50 MB body,
 * a 200 whose body never ends, an answer that is not HTTP, and a TLS port that never finishes
 * the handshake. Each counts what it was sent and what it managed to send back.
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Server as NetServer, type Socket } from 'node:net';

export interface PoisonServer {
  url: string;
  /** Requests (or connections, below HTTP) that reached it. */
  readonly hits: number;
  /** Body bytes it wrote before the client went away, per request. */
  readonly bytesSent: number[];
  close(): Promise<void>;
}

const HUGE = 50 * 1024 * 1024;

async function listen(server: HttpServer | NetServer, sockets: Set<Socket>): Promise<number> {
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function closer(server: HttpServer | NetServer, sockets: Set<Socket>, timers: Set<NodeJS.Timeout>) {
  return async () => {
    for (const t of timers) clearInterval(t);
    for (const s of sockets) s.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

/** Answers 200 with a 50 MB body, written as fast as the client reads it. */
export async function hugeBodyServer(): Promise<PoisonServer> {
  const sockets = new Set<Socket>();
  const bytesSent: number[] = [];
  let hits = 0;
  const chunk = Buffer.alloc(64 * 1024, 'x');
  const server = createHttpServer((req, res) => {
    hits++;
    const index = bytesSent.push(0) - 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(HUGE) });
      const pump = () => {
        while (bytesSent[index]! < HUGE && !res.destroyed) {
          bytesSent[index]! += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        if (!res.destroyed) res.end();
      };
      pump();
    });
  });
  const port = await listen(server, sockets);
  return { url: `http://127.0.0.1:${port}/huge`, get hits() { return hits; }, bytesSent, close: closer(server, sockets, new Set()) };
}

/** Answers 200 and then trickles a body that never ends: 100 bytes every 200 ms. */
export async function endlessBodyServer(): Promise<PoisonServer> {
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const bytesSent: number[] = [];
  let hits = 0;
  const server = createHttpServer((req, res) => {
    hits++;
    const index = bytesSent.push(0) - 1;
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      const timer = setInterval(() => {
        if (res.destroyed) return void (clearInterval(timer), timers.delete(timer));
        res.write('y'.repeat(100));
        bytesSent[index]! += 100;
      }, 200);
      timers.add(timer);
    });
  });
  const port = await listen(server, sockets);
  return { url: `http://127.0.0.1:${port}/endless`, get hits() { return hits; }, bytesSent, close: closer(server, sockets, timers) };
}

/** Reads the request and answers with bytes that are not an HTTP response. */
export async function invalidHttpServer(): Promise<PoisonServer> {
  const sockets = new Set<Socket>();
  let hits = 0;
  const server = createNetServer((socket) => {
    socket.once('data', () => {
      hits++;
      socket.write('SMTP ready, not HTTP\r\n\u0000\u0001garbage\r\n\r\n');
    });
    socket.on('error', () => undefined);
  });
  const port = await listen(server, sockets);
  return { url: `http://127.0.0.1:${port}/invalid`, get hits() { return hits; }, bytesSent: [], close: closer(server, sockets, new Set()) };
}

/** Accepts TCP connections on an https:// URL and never says a word: the TLS handshake never completes. */
export async function tlsStallServer(): Promise<PoisonServer> {
  const sockets = new Set<Socket>();
  let hits = 0;
  const server = createNetServer((socket) => {
    hits++;
    socket.resume(); // reads the ClientHello, answers nothing
    socket.on('error', () => undefined);
  });
  const port = await listen(server, sockets);
  return { url: `https://127.0.0.1:${port}/tls`, get hits() { return hits; }, bytesSent: [], close: closer(server, sockets, new Set()) };
}
