/**
 * `hookd demo`: a local webhook receiver for trying hookd out. It answers 200 to every POST,
 * prints one line per delivery, and, given the endpoint's secret, checks both signatures the
 * way a receiver should: over the exact bytes received, in constant time, with a clock
 * tolerance.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { faluSignature, standardSignature } from '../delivery/signing.js';
import { printable } from '../domain/terminal-text.js';

/** s: how old a signature may be before the demo calls it stale (Standard Webhooks uses 5 min). */
const TOLERANCE_S = 300;

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** "ok", or what is wrong, for each scheme. */
export function checkSignatures(headers: IncomingHttpHeaders, body: Buffer, secret: string, nowS: number): { falu: string; standard: string } {
  const falu = String(headers['x-falu-signature'] ?? '');
  const t = Number(/(?:^|,)t=(\d+)/.exec(falu)?.[1]);
  const faluEntries = falu.split(',').filter((p) => p.startsWith('sha256='));
  const expectedFalu = Number.isFinite(t) ? faluSignature([secret], t, body).split(',')[1]! : '';
  const id = String(headers['webhook-id'] ?? '');
  const ts = Number(headers['webhook-timestamp']);
  const expectedStd = Number.isFinite(ts) ? standardSignature([secret], id, ts, body) : '';
  const std = String(headers['webhook-signature'] ?? '').split(' ');
  const stale = (s: number) => Math.abs(nowS - s) > TOLERANCE_S;
  return {
    falu: !falu ? 'missing' : !Number.isFinite(t) ? 'malformed' : stale(t) ? 'stale timestamp' : faluEntries.some((e) => equal(e, expectedFalu)) ? 'ok' : 'MISMATCH',
    standard: !headers['webhook-signature'] ? 'missing' : !Number.isFinite(ts) ? 'malformed' : stale(ts) ? 'stale timestamp' : std.some((e) => equal(e, expectedStd)) ? 'ok' : 'MISMATCH',
  };
}

export function startDemoReceiver(options: { port: number; host: string; secret?: string; print: (line: string) => void }): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let type = '?';
      try {
        const parsed = JSON.parse(body.toString('utf8')) as { type?: string };
        type = parsed.type ?? '?';
      } catch {
        type = '(not JSON)';
      }
      const checks = options.secret
        ? (() => {
          const c = checkSignatures(req.headers, body, options.secret!, Math.floor(Date.now() / 1000));
          return `X-Falu-Signature ${c.falu}, webhook-signature ${c.standard}`;
        })()
        : 'signatures not checked (pass --secret fwhs_… to check them)';
      // Anyone who can reach the port writes the method, path, type and id: printable, not raw.
      options.print(printable(`${new Date().toISOString()}  ${req.method} ${req.url}  ${type}  ${String(req.headers['webhook-id'] ?? '-')}  ${checks}`));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('received\n');
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      const { port } = server.address() as AddressInfo;
      options.print(`hookd demo receiver listening on http://${options.host}:${port}/webhooks`);
      resolve(server);
    });
  });
}
