/**
 * HTTP/1.1 as bytes over a socket, for replaying a Falu SDK's requests exactly as it writes
 * them: header names in its casing and order, its body bytes, chunked when it streams. A
 * client library would normalise all three. Answers are read by Content-Length or chunks, as
 * the SDKs keep the connection open.
 */
import { connect } from 'node:net';
import { afterAll, beforeAll } from 'vitest';
import { startHookd, type TestHookd } from '../helpers.js';

export interface RawRequest {
  method: string;
  /** Path and query, exactly as the SDK puts them on the request line. */
  target: string;
  /** In the SDK's order and casing; `Host` is added first, as every client sends it. */
  headers: [string, string][];
  body?: string;
  /** Sent with Transfer-Encoding: chunked (the caller lists that header), as .NET's JsonContent is. */
  chunked?: boolean;
}

export interface RawResponse {
  status: number;
  /** Lowercased names. */
  headers: Record<string, string>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

function encode(port: number, r: RawRequest): Buffer {
  const head = [`${r.method} ${r.target} HTTP/1.1`, `Host: 127.0.0.1:${port}`, ...r.headers.map(([n, v]) => `${n}: ${v}`)].join('\r\n');
  const body = Buffer.from(r.body ?? '', 'utf8');
  const framed = r.chunked
    ? Buffer.concat([Buffer.from(`${body.length.toString(16)}\r\n`), body, Buffer.from('\r\n0\r\n\r\n')])
    : body;
  return Buffer.concat([Buffer.from(`${head}\r\n\r\n`), framed]);
}

/** The body once complete, or null while bytes are missing. */
function bodyOf(status: number, headers: Record<string, string>, rest: Buffer): Buffer | null {
  if (status === 204 || status === 304) return Buffer.alloc(0);
  if (headers['transfer-encoding']?.includes('chunked')) {
    const parts: Buffer[] = [];
    let at = 0;
    for (;;) {
      const eol = rest.indexOf('\r\n', at);
      if (eol < 0) return null;
      const size = parseInt(rest.subarray(at, eol).toString(), 16);
      if (size === 0) return rest.length >= eol + 4 ? Buffer.concat(parts) : null;
      if (rest.length < eol + 2 + size + 2) return null;
      parts.push(rest.subarray(eol + 2, eol + 2 + size));
      at = eol + 2 + size + 2;
    }
  }
  const length = Number(headers['content-length'] ?? 0);
  return rest.length >= length ? rest.subarray(0, length) : null;
}

export function sendRaw(port: number, request: RawRequest): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.on('error', reject);
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const [statusLine, ...lines] = received.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(statusLine!.split(' ')[1]);
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      const body = bodyOf(status, headers, received.subarray(end + 4));
      if (body === null) return;
      socket.destroy();
      const text = body.toString('utf8');
      resolve({ status, headers, body: text, json: <T>() => JSON.parse(text) as T });
    });
    socket.on('close', () => reject(new Error(`connection closed before a whole answer: ${received.toString('latin1').slice(0, 200)}`)));
    socket.write(encode(port, request));
  });
}

export interface SdkServer {
  h: TestHookd;
  ws: { id: string; test: string; live: string };
  send(request: RawRequest): Promise<RawResponse>;
}

/** A hookd listening on 127.0.0.1 port 0 with a workspace, for one test file (closed after it). */
export function sdkServer(): SdkServer {
  const server = {} as SdkServer;
  let port = 0;
  beforeAll(async () => {
    server.h = await startHookd();
    server.ws = await server.h.workspace();
    await server.h.app.listen({ port: 0, host: '127.0.0.1' });
    port = (server.h.app.server.address() as { port: number }).port;
    server.send = (request) => sendRaw(port, request);
  });
  afterAll(() => server.h.close());
  return server;
}

/** Publishes an event of `type` with the workspace's test key (the SDKs only read events). */
export async function publish(s: SdkServer, type: string, object: object): Promise<string> {
  const res = await s.h.call('POST', '/v1/events', { key: s.ws.test, body: { type, data: { object } } });
  if (res.statusCode !== 201) throw new Error(`publish failed: ${res.statusCode} ${res.body}`);
  return (res.json() as { id: string }).id;
}

/** The fields of a problem document every SDK's error type reads (see each SDK's fixtures). */
export interface Problem { type: string; title: string; status: number; detail?: string; instance?: string; errors?: Record<string, string[]>; traceId: string }
