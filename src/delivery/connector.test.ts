import { createServer, type AddressInfo, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { maskProxy } from './connector.js';
import { createSender } from './sender.js';

/** A proxy that answers every CONNECT with `reply`, and records what it was asked. */
async function fakeProxy(reply: string): Promise<{ port: number; asked: string[]; server: Server }> {
  const asked: string[] = [];
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', (chunk) => {
      asked.push(chunk.toString('latin1'));
      socket.end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, asked, server };
}

describe('maskProxy', () => {
  it.each([
    ['http://proxy:3128', 'http://proxy:3128'],
    ['http://ops:s3cret@proxy:3128', 'http://ops:***@proxy:3128'],
    ['https://:s3cret@proxy', 'https://***@proxy'],
  ])('%s', (url, shown) => expect(maskProxy(new URL(url))).toBe(shown));
});

describe('the tunnel connector', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  });
  const send = (proxy: string) => {
    const sender = createSender({ connectTimeout: 2_000, requestTimeout: 5_000, allowNetworks: ['127.0.0.0/8'], egressProxy: proxy });
    return sender.send({ url: 'http://127.0.0.1:9/hook', body: '{}', headers: {} }).finally(() => sender.close());
  };

  it('asks for the checked address with the credentials, and records a refused tunnel without them', async () => {
    const proxy = await fakeProxy('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
    servers.push(proxy.server);
    const result = await send(`http://ops:s3cret@127.0.0.1:${proxy.port}`);
    expect(proxy.asked[0]).toBe(`CONNECT 127.0.0.1:9 HTTP/1.1\r\nHost: 127.0.0.1:9\r\nProxy-Authorization: Basic ${Buffer.from('ops:s3cret').toString('base64')}\r\n\r\n`);
    expect(result).toMatchObject({ status: null, unreachable: true, error: `the egress proxy http://ops:***@127.0.0.1:${proxy.port} refused the tunnel to 127.0.0.1:9: 403 Forbidden` });
  });

  it('records an answer that is not HTTP, and a proxy that cannot be reached', async () => {
    const proxy = await fakeProxy('SSH-2.0-OpenSSH\r\n\r\n');
    servers.push(proxy.server);
    expect((await send(`http://127.0.0.1:${proxy.port}`)).error).toBe(`the egress proxy http://127.0.0.1:${proxy.port} refused the tunnel to 127.0.0.1:9: an answer that is not HTTP`);
    const closed = await fakeProxy('');
    await new Promise((r) => closed.server.close(r));
    expect((await send(`http://127.0.0.1:${closed.port}`)).error).toBe(`the egress proxy http://127.0.0.1:${closed.port} cannot be reached: ECONNREFUSED`);
  });
});
