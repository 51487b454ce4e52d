/**
 * A TCP proxy in front of PostgreSQL for outage tests: processes connect to 127.0.0.1:<port>
 * and every byte goes on to the target. `cut()` is the outage as a client sees it when the
 * database goes away: every open connection is reset and new ones are refused (accepted and
 * destroyed at once, so the port stays ours for `restore()`).
 */
import { createServer, Socket, type AddressInfo } from 'node:net';

export interface TcpProxy {
  /** 127.0.0.1 port to connect to instead of the target. */
  port: number;
  /** Destroys every open connection and refuses new ones until `restore()`. */
  cut(): void;
  /** Accepts and forwards connections again. */
  restore(): void;
  /** Connections accepted and forwarded since the start (refused ones are not counted). */
  readonly forwarded: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let forwarded = 0;
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    forwarded++;
    const upstream = new Socket();
    open.add(client);
    open.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    // Either side closing or failing ends the pair: a half-open proxy would hide the outage.
    for (const s of [client, upstream]) {
      s.on('error', end);
      s.on('close', end);
    }
    upstream.connect(target.port, target.host, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    port,
    cut() {
      cut = true;
      // A reset, as when the database host dies or a network path drops: the client sees
      // ECONNRESET on every connection, in the middle of whatever it was doing.
      for (const s of open) s.resetAndDestroy();
      open.clear();
    },
    restore() {
      cut = false;
    },
    get forwarded() {
      return forwarded;
    },
    async close() {
      cut = true;
      for (const s of open) s.destroy();
      open.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
