/**
 * The sender's connection pools (undici Agents): one shared by every endpoint without a client
 * certificate, and one per distinct certificate and key (docs/delivery.md, "Mutual TLS"),
 * because a TLS connection carries the identity it was opened with and must never serve
 * another endpoint's requests. Those are few and bounded: at most `max`, the least recently
 * used closed first, and each closed once unused for `idle` ms, so ordinary endpoints keep the
 * shared pool and pay nothing for them. With an egress proxy every pool connects through it
 * (connector.ts); without, undici's own connector runs with the SSRF guard as its lookup.
 */
import { createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { Agent } from 'undici';
import { directConnector, tunnelConnector, type ReceiverTls, type TunnelOptions } from './connector.js';

export interface AgentsOptions {
  /** ms */
  connectTimeout: number;
  /** ms */
  requestTimeout: number;
  lookup: TunnelOptions['lookup'];
  proxy: URL | null;
  /** PEM CAs trusted beside the system's (tests; operators use NODE_EXTRA_CA_CERTS: docs/security.md). */
  trust?: readonly string[];
  /** Certificate pools kept at once. */
  max?: number;
  /** ms a certificate's pool is kept unused. */
  idle?: number;
  now?: () => number;
}

export interface Agents {
  /** The pool for a request, by the client certificate it presents (none: the shared one). */
  agentFor(identity?: { certificate: string; privateKey: string }): Agent;
  /** Closes the certificate pools unused for `idle` ms (a timer calls it every minute). */
  sweep(): void;
  /** Certificate pools open now. */
  certificatePools(): number;
  close(): Promise<void>;
}

export function createAgents({ connectTimeout, requestTimeout, lookup, proxy, trust, max = 64, idle = 300_000, now = Date.now }: AgentsOptions): Agents {
  // `ca` replaces the system's roots rather than adding to them, so they are named again.
  const ca = trust && trust.length > 0 ? [...rootCertificates, ...trust] : undefined;
  const make = (identity?: ReceiverTls): Agent => {
    const tls: ReceiverTls = { ...(ca ? { ca } : {}), ...identity };
    return new Agent({
      connect: proxy ? tunnelConnector({ proxy, timeout: connectTimeout, lookup, tls }) : directConnector({ timeout: connectTimeout, lookup: lookup as never, ...tls }),
      // Receivers commonly close idle sockets after 5 s (Node's default); reuse below that.
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 30_000,
      headersTimeout: requestTimeout,
      bodyTimeout: requestTimeout,
    });
  };
  const shared = make();
  /** In order of last use, oldest first (a Map keeps insertion order; each use re-inserts). */
  const pools = new Map<string, { agent: Agent; used: number }>();
  // A pool being closed finishes its requests first (Agent.close waits for them).
  const retire = (key: string) => {
    const entry = pools.get(key);
    pools.delete(key);
    void entry?.agent.close();
  };
  const timer = setInterval(() => sweep(), 60_000);
  timer.unref();

  function sweep(): void {
    for (const [key, entry] of pools) if (now() - entry.used >= idle) retire(key);
  }

  return {
    agentFor(identity) {
      if (!identity) return shared;
      const key = createHash('sha256').update(identity.certificate).update('\0').update(identity.privateKey).digest('base64');
      let entry = pools.get(key);
      if (entry) pools.delete(key);
      else {
        if (pools.size >= max) retire(pools.keys().next().value!);
        entry = { agent: make({ cert: identity.certificate, key: identity.privateKey }), used: 0 };
      }
      entry.used = now();
      pools.set(key, entry);
      return entry.agent;
    },
    sweep,
    certificatePools: () => pools.size,
    async close() {
      clearInterval(timer);
      const closing = [shared, ...[...pools.values()].map((e) => e.agent)];
      pools.clear();
      await Promise.all(closing.map((a) => a.close()));
    },
  };
}
