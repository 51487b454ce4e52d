/**
 * A TCP proxy in front of PostgreSQL for outage tests: processes connect to 127.0.0.1:<port>
 * and every byte goes on to the target. `cut()` is the outage as a client sees it when the
 * database goes away: every open connection is reset and new ones are refused (accepted and
 * destroyed at once, so the port stays ours for `restore()`). `blackhole()` is the other kind of
 * outage, the one no error announces: the server (or the path to it) stops answering without
 * closing — a frozen host, a dropped route, a failed-over address. Bytes are swallowed in both
 * directions and nothing is closed; those connections stay dead for good, as they would in
 * life, and only connections made after `restore()` reach the target again.
 */
import { createServer, Socket, type AddressInfo } from 'node:net';

export interface TcpProxy {
  /** 127.0.0.1 port to connect to instead of the target. */
  port: number;
  /** Destroys every open connection and refuses new ones until `restore()`. */
  cut(): void;
  /**
   * Swallows every byte of every open connection, in both directions, and accepts new
   * connections only to swallow theirs too; nothing is closed or reset.
   */
  blackhole(): void;
  /** Accepts and forwards new connections again (blackholed ones stay dead). */
  restore(): void;
  /** Connections accepted and forwarded since the start (refused ones are not counted). */
  readonly forwarded: number;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let cut = false;
  let blackholed = false;
  let forwarded = 0;
  /** Open connections' pipes, so a blackhole can stop them. */
  const pairs = new Set<{ client: Socket; upstream: Socket }>();
  const swallow = (client: Socket) => {
    open.add(client);
    client.on('data', () => undefined); // read and drop: the peer sees a silent, open connection
    client.on('error', () => client.destroy());
    client.on('close', () => open.delete(client));
  };
  const server = createServer((client) => {
    if (cut) {
      client.destroy();
      return;
    }
    if (blackholed) {
      swallow(client);
      return;
    }
    forwarded++;
    const upstream = new Socket();
    open.add(client);
    open.add(upstream);
    const pair = { client, upstream };
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
      pairs.delete(pair);
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
    blackhole() {
      blackholed = true;
      for (const { client, upstream } of pairs) {
        client.unpipe(upstream);
        upstream.unpipe(client);
        // Drop what either side sends from now on, without closing: the target sees an idle client, the client a server that never answers.
        for (const s of [client, upstream]) {
          s.on('data', () => undefined);
          s.resume();
        }
      }
      pairs.clear();
    },
    restore() {
      cut = false;
      blackholed = false;
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
