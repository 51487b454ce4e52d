import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { createSender } from './sender.js';

/** A TCP server that answers every request with `reply` (bytes that may not be HTTP). */
async function rawServer(reply: string): Promise<{ url: string; server: Server }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end(reply));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

describe('sender', () => {
  const sender = createSender({ connectTimeout: 1_000, requestTimeout: 10_000, allowNetworks: ['127.0.0.0/8'] });
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });

  it.each([
    ['a line that is not a status line', 'SMTP ready, not HTTP\r\n\r\n'],
    ['a broken status line', 'HTTP/1.1 2OO OK\r\n\r\n'],
  ])('an answer that is %s is recorded as "not valid HTTP", with no status', async (_, reply) => {
    const { url, server } = await rawServer(reply);
    servers.push(server);
    const result = await sender.send({ url, body: '{}', headers: { 'content-type': 'application/json' } });
    expect(result).toMatchObject({ status: null, error: 'the answer is not valid HTTP', unreachable: true });
  });
});
