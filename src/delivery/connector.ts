/**
 * How a delivery's connection is opened when HOOKD_EGRESS_PROXY is set (docs/security.md,
 * "Egress proxy"): hookd resolves the receiver's name itself with the SSRF guard's lookup,
 * then asks the proxy for a tunnel to the checked address (`CONNECT 203.0.113.7:443`), never to
 * the name, so the proxy's own DNS cannot send the request somewhere the guard did not check.
 * For https, TLS runs over the tunnel end to end with the name as servername: the receiver's
 * certificate is verified against the name, and a client certificate (mutual TLS) is
 * presented by hookd, not the proxy. Plain http goes through the same CONNECT tunnel: one path
 * for both schemes, and no absolute-form request a proxy could re-resolve.
 */
import type { LookupAddress, LookupOptions } from 'node:dns';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { buildConnector, errors } from 'undici';

type Lookup = (hostname: string, options: LookupOptions, callback: (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void) => void;

/** TLS options for the receiver's side of the tunnel: a client certificate, extra trusted CAs. */
export type ReceiverTls = Pick<ConnectionOptions, 'cert' | 'key' | 'ca'>;

export interface TunnelOptions {
  proxy: URL;
  /** ms for the whole of it: lookup, proxy connection, CONNECT answer and TLS handshake. */
  timeout: number;
  /** The SSRF guard's (ssrf-guard.ts guardedLookup): refuses before the proxy is contacted. */
  lookup: Lookup;
  tls?: ReceiverTls;
}

/** The proxy failed or refused the tunnel; the message is the attempt's `error`, so it never holds the proxy's credentials. */
export class EgressProxyError extends Error {
  readonly code = 'HOOKD_EGRESS_PROXY';
}

/** The proxy URL as logs and errors may show it: its password masked. */
export function maskProxy(proxy: URL): string {
  if (!proxy.username && !proxy.password) return proxy.origin;
  return `${proxy.protocol}//${proxy.username ? decodeURIComponent(proxy.username) + ':' : ''}***@${proxy.host}`;
}

/** The most a proxy's answer to CONNECT may hold before its blank line. */
const HEAD_LIMIT = 16 * 1024;

/** Reads the proxy's answer to CONNECT: calls back with null once it is 200, leaving the socket at the tunnel's first byte. */
function awaitTunnel(socket: Socket, proxyName: string, target: string, callback: (err: Error | null) => void): void {
  let head = Buffer.alloc(0);
  const onReadable = () => {
    let chunk: Buffer | null;
    while ((chunk = socket.read() as Buffer | null) !== null) {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) {
        if (head.length > HEAD_LIMIT) done(new EgressProxyError(`the egress proxy ${proxyName} sent an answer to CONNECT longer than ${HEAD_LIMIT} bytes`));
        continue;
      }
      const statusLine = head.subarray(0, head.indexOf('\r\n')).toString('latin1');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1];
      if (status !== '200') {
        const shown = status ? statusLine.slice(9, 9 + 100) : 'an answer that is not HTTP';
        return done(new EgressProxyError(`the egress proxy ${proxyName} refused the tunnel to ${target}: ${shown}`));
      }
      // Bytes past the head already belong to the tunnel (a server that speaks first).
      if (end + 4 < head.length) socket.unshift(head.subarray(end + 4));
      return done(null);
    }
  };
  const onEnd = () => done(new EgressProxyError(`the egress proxy ${proxyName} closed the connection before answering CONNECT`));
  const done = (err: Error | null) => {
    socket.removeListener('readable', onReadable);
    socket.removeListener('end', onEnd);
    callback(err);
  };
  socket.on('readable', onReadable);
  socket.once('end', onEnd);
}

/**
 * Keeps the reason of a TLS alert that comes after the handshake. With TLS 1.3 the client's
 * handshake ends before the server has checked the client's certificate, so a receiver that
 * wants one (or distrusts its issuer) answers the request with an alert: the socket emits the
 * alert's error, then 'end', and undici replaces the error it recorded with "other side
 * closed". Ending the socket with the error itself skips the 'end' (measured with undici 7.30).
 */
function keepTlsAlerts(socket: Socket): void {
  socket.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code?.startsWith('ERR_SSL_')) socket.destroy(err);
  });
}

/** undici's own connector (with the SSRF guard's lookup and any TLS identity in `options`), TLS alerts kept. */
export function directConnector(options: buildConnector.BuildOptions): buildConnector.connector {
  const connect = buildConnector(options);
  return (target, callback) => connect(target, (...args) => {
    if (args[1]) keepTlsAlerts(args[1]);
    callback(...args);
  });
}

/** An undici `connect` function that reaches every origin through the proxy's CONNECT tunnel. */
export function tunnelConnector({ proxy, timeout, lookup, tls = {} }: TunnelOptions): buildConnector.connector {
  const proxyName = maskProxy(proxy);
  const proxyPort = Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80);
  const proxyHost = proxy.hostname.replace(/^\[|\]$/g, '');
  const authorization = proxy.username || proxy.password
    ? `Proxy-Authorization: Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}\r\n`
    : '';

  return (target, callback) => {
    let settled = false;
    const sockets: Socket[] = [];
    const finish = (err: Error | null, socket?: Socket) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      for (const s of sockets) s.removeAllListeners('error');
      if (err) {
        // A socket destroyed after a failure may still report one; nobody waits for it now.
        for (const s of sockets) s.on('error', () => undefined);
        for (const s of sockets) s.destroy();
        callback(err, null);
        return;
      }
      // Once undici owns a TLS socket, a failure of the tunnel under it must still reach it.
      const [raw] = sockets;
      if (socket !== raw) {
        raw!.on('error', (e) => socket!.destroy(e));
        keepTlsAlerts(socket!);
      }
      callback(null, socket!);
    };
    const timer = setTimeout(() => finish(new errors.ConnectTimeoutError()), timeout);
    const hostname = target.hostname.replace(/^\[|\]$/g, '');
    const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);

    lookup(hostname, { all: true }, (err, addresses) => {
      if (settled) return;
      if (err) return finish(err);
      const address = (addresses as LookupAddress[])[0]!.address;
      const authority = isIP(address) === 6 ? `[${address}]:${port}` : `${address}:${port}`;
      const raw = proxy.protocol === 'https:'
        // The proxy's certificate is checked against the same roots as receivers'; the client
        // certificate is the receiver's business, never shown to the proxy.
        ? tlsConnect({ host: proxyHost, port: proxyPort, servername: isIP(proxyHost) ? undefined : proxyHost, ALPNProtocols: ['http/1.1'], ca: tls.ca })
        : netConnect({ host: proxyHost, port: proxyPort });
      sockets.push(raw);
      // Until the tunnel stands, a socket failure is the proxy's, not the receiver's.
      const proxyFailed = (e: NodeJS.ErrnoException) => finish(new EgressProxyError(`the egress proxy ${proxyName} cannot be reached: ${e.code ?? e.message}`));
      raw.on('error', proxyFailed);
      raw.once(proxy.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
        raw.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n${authorization}\r\n`);
      });
      awaitTunnel(raw, proxyName, authority, (tunnelErr) => {
        if (settled) return;
        if (tunnelErr) return finish(tunnelErr);
        raw.removeListener('error', proxyFailed);
        raw.on('error', finish);
        if (target.protocol !== 'https:') return finish(null, raw);
        const secure = tlsConnect({
          ...tls, socket: raw, ALPNProtocols: ['http/1.1'],
          // The name, never the tunnel's address: the receiver's certificate is checked against
          // `host` (tls.connect would take 'localhost' for a socket it did not open), and SNI
          // carries it unless it is an IP literal, which SNI cannot.
          host: hostname,
          servername: isIP(hostname) ? undefined : (target.servername || hostname),
        });
        sockets.push(secure);
        secure.on('error', finish);
        secure.once('secureConnect', () => finish(null, secure));
      });
    });
  };
}
