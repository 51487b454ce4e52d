import type { AddressInfo } from 'node:net';
import type { Config } from '../config/config.js';

/** What publicBase needs of the HTTP server: where it is bound (null before it listens). */
export interface Listening {
  address(): AddressInfo | string | null;
}

/**
 * The base of every URL hookd hands out (portal links, listen URLs): HOOKD_PUBLIC_URL when set,
 * else the address the server is bound to. Never the request's Host (or X-Forwarded-*): a
 * client chooses those, and a portal link built from them would carry its token to the
 * client's host (docs/security.md, "URLs hookd hands out").
 */
export function publicBase(config: Config, server: Listening): string {
  if (config.publicUrl) return config.publicUrl;
  const bound = server.address();
  if (bound !== null && typeof bound === 'object') return `http://${urlHost(bound.address)}:${bound.port}`;
  // Not listening (app.inject) or on a pipe: the configured address is the best there is.
  return `http://${urlHost(config.host)}:${config.port}`;
}

/** A bound address as a URL's host: the wildcard addresses are this machine, IPv6 goes in brackets. */
export function urlHost(address: string): string {
  if (address === '0.0.0.0' || address === '::' || address === '') return 'localhost';
  // A zone (fe80::1%eth0) is written %25 in a URL (RFC 6874).
  return address.includes(':') ? `[${address.replace('%', '%25')}]` : address;
}
