/** A listen channel client for tests: a real WebSocket with the devproxy subprotocol, and what it received. */
import { WebSocket } from 'undici';
import { until } from './wait.js';

export const PROTOCOL = 'json.devproxy.falu.v1';

export interface ListenSocket {
  ws: WebSocket;
  messages: unknown[];
  /** Set once the socket closed, with the code and reason the server sent. */
  closed: { code: number; reason: string } | null;
  /** Waits for the close, at most `timeoutMs`; throws, naming it, if none came. */
  waitForClose(timeoutMs: number): Promise<{ code: number; reason: string }>;
}

/** Opens a socket with `token`; rejects when the server refuses the upgrade. */
export function openListenSocket(url: string, token: string | null, protocols = [PROTOCOL]): Promise<ListenSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { protocols, headers: token ? { authorization: `Bearer ${token}` } : {} } as never);
    const socket: ListenSocket = {
      ws, messages: [], closed: null,
      async waitForClose(timeoutMs) {
        await until('the listen socket closed', () => socket.closed !== null, timeoutMs, 20);
        return socket.closed!;
      },
    };
    ws.addEventListener('message', (e) => socket.messages.push(JSON.parse(String(e.data))));
    ws.addEventListener('close', (e) => (socket.closed = { code: e.code, reason: e.reason }));
    ws.addEventListener('open', () => resolve(socket));
    ws.addEventListener('error', () => reject(new Error('refused')));
  });
}
