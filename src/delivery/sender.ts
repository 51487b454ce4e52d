/**
 * The sender: one HTTP POST per attempt through undici, with a keep-alive pool per origin (the
 * Agent keeps one Pool per origin; agents.ts keeps one Agent per client certificate), the SSRF
 * guard as its DNS lookup, through HOOKD_EGRESS_PROXY when set (connector.ts), no redirects
 * followed, and hard bounds on time and memory: connect timeout, whole-request timeout, and at
 * most 16 KiB of any answer read (the rest is dropped with the connection).
 */
import { request } from 'undici';
import { createAgents } from './agents.js';
import { EgressProxyError } from './connector.js';
import { guardedLookup, parseNetworks, refusedLiteral, RefusedAddressError } from './ssrf-guard.js';
import { parseRetryAfter } from './retry-policy.js';
import { signatureHeaders } from './signing.js';
import { describeTlsFailure } from './tls-failure.js';

/** Stored response (and request) bodies are cut here (docs/delivery.md). */
export const BODY_LIMIT = 16 * 1024;

export interface SendRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
  /**
   * Signed here, with the exact body sent: the signature headers are added to `headers`.
   * `ed25519`: the endpoint's private keys still signing (`whsk_…`, current first); when
   * present, `webhook-signature` carries `v1a` entries made with them (docs/delivery.md, "Signatures").
   */
  sign?: { secrets: string[]; id: string; timestamp: number; ed25519?: string[] };
  /** Mutual TLS: the certificate and key presented to the receiver (docs/delivery.md, "Mutual TLS"). */
  clientCertificate?: { certificate: string; privateKey: string };
  /** Aborts the request early (graceful shutdown past its bound); may be shared by many requests. */
  signal?: AbortSignal;
}

/** The headers a request goes out with: its own, and its signatures when it is to be signed (on a sender thread too: sender-thread.ts sends through here). */
export function headersToSend(req: Pick<SendRequest, 'headers' | 'body' | 'sign'>): Record<string, string> {
  if (!req.sign) return req.headers;
  return { ...req.headers, ...signatureHeaders(req.sign.secrets, req.sign.id, req.sign.timestamp, req.body, req.sign.ed25519) };
}

export interface SendResult {
  /** HTTP status, or null when no answer came. */
  status: number | null;
  response: string | null;
  /** Seconds, from a usable Retry-After. */
  retryAfter: number | null;
  /** ms from start to end (answer read, or failure). */
  time: number;
  /** Why no answer came, in words for the delivery record. */
  error: string | null;
  /** The failure was a timeout or a network error (not an HTTP answer): the endpoint is suspect. */
  unreachable: boolean;
}

export interface SenderOptions {
  /** ms */
  connectTimeout: number;
  /** ms, whole request: connect, send, answer headers and the (cut) body. */
  requestTimeout: number;
  allowNetworks: readonly string[];
  /** HOOKD_EGRESS_PROXY: every request leaves through this http(s) proxy's CONNECT tunnels. */
  egressProxy?: string | null;
  /** PEM CAs trusted beside the system's, for receivers' certificates: tests only (operators set NODE_EXTRA_CA_CERTS, docs/security.md). */
  trust?: readonly string[];
  now?: () => number;
  /** DNS resolution (dns.lookup's shape); tests swap in a stub to play DNS rebinding. */
  resolver?: Parameters<typeof guardedLookup>[1];
}

export interface Sender {
  send(req: SendRequest): Promise<SendResult>;
  close(): Promise<void>;
}

export function createSender({ connectTimeout, requestTimeout, allowNetworks, egressProxy, trust, now = Date.now, resolver }: SenderOptions): Sender {
  const allow = parseNetworks(allowNetworks);
  const agents = createAgents({
    connectTimeout, requestTimeout, lookup: guardedLookup(allow, resolver), proxy: egressProxy ? new URL(egressProxy) : null, trust, now,
  });

  async function send(req: SendRequest): Promise<SendResult> {
    const started = now();
    const failed = (error: string, unreachable = true): SendResult => ({
      status: null, response: null, retryAfter: null, time: now() - started, error, unreachable,
    });
    let url: URL;
    try {
      url = new URL(req.url);
    } catch {
      return failed('the endpoint URL cannot be parsed');
    }
    const refused = refusedLiteral(url.href, allow);
    if (refused) return failed(`refused by the SSRF guard: ${refused}`);

    // One controller and a plain timer: AbortSignal.timeout() plus AbortSignal.any() cost 4 % of
    // hookd's CPU at 3,000 deliveries/s (weak references the GC must trace, per request).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, requestTimeout);
    const stop = () => controller.abort();
    req.signal?.addEventListener('abort', stop, { once: true });
    if (req.signal?.aborted) stop();
    try {
      const res = await request(url, { method: 'POST', headers: headersToSend(req), body: req.body, dispatcher: agents.agentFor(req.clientCertificate), signal: controller.signal });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        const room = BODY_LIMIT - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        // Breaking out destroys the stream and its socket: a 50 MB answer costs 16 KiB.
        if (size >= BODY_LIMIT) break;
      }
      const header = res.headers['retry-after'];
      return {
        status: res.statusCode,
        // Whatever the receiver sent is kept as text, and PostgreSQL text cannot hold U+0000: one
        // NUL byte in an answer would fail the attempt's insert (a 500 on /retry, a stuck delivery).
        response: Buffer.concat(chunks).toString('utf8').replaceAll('\u0000', '\uFFFD'),
        retryAfter: parseRetryAfter(Array.isArray(header) ? header[0] : header, now()),
        time: now() - started,
        error: null,
        unreachable: false,
      };
    } catch (err) {
      const why = describeFailure(err, timedOut, req.signal?.aborted ?? false, requestTimeout, connectTimeout);
      // Node's TLS servers, among others, check a client certificate after the handshake and
      // close the connection without an alert when they refuse it (test/mtls.test.ts).
      return failed(req.clientCertificate && why === CLOSED ? `${CLOSED} (a receiver that refuses the client certificate may close the connection without a TLS alert)` : why);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', stop);
    }
  }

  return { send, close: () => agents.close() };
}

const CLOSED = 'the connection was closed before a complete answer';

function describeFailure(err: unknown, timedOut: boolean, aborted: boolean, requestTimeout: number, connectTimeout: number): string {
  if (aborted && !timedOut) return 'aborted: hookd was shutting down';
  if (timedOut) return `no complete answer within ${requestTimeout} ms (HOOKD_REQUEST_TIMEOUT)`;
  const e = err as { code?: string; message?: string; cause?: unknown };
  const cause = (e.cause ?? err) as { code?: string; message?: string };
  if (err instanceof RefusedAddressError || cause instanceof RefusedAddressError) return (cause as Error).message;
  if (err instanceof EgressProxyError || cause instanceof EgressProxyError) return (cause as Error).message;
  const code = cause.code ?? e.code;
  const tls = describeTlsFailure(code, cause.message ?? e.message);
  if (tls) return tls;
  // undici's parser errors carry a code only for some failures ("Expected HTTP/" has none).
  if ((cause as { name?: string }).name === 'HTTPParserError' || (err as { name?: string }).name === 'HTTPParserError') return 'the answer is not valid HTTP';
  switch (code) {
    case 'UND_ERR_CONNECT_TIMEOUT': return `could not connect within ${connectTimeout} ms (HOOKD_CONNECT_TIMEOUT)`;
    case 'UND_ERR_HEADERS_TIMEOUT': case 'UND_ERR_BODY_TIMEOUT': return `no complete answer within ${requestTimeout} ms (HOOKD_REQUEST_TIMEOUT)`;
    case 'ECONNREFUSED': return 'connection refused';
    case 'ECONNRESET': case 'UND_ERR_SOCKET': return CLOSED;
    case 'ENOTFOUND': case 'EAI_AGAIN': return 'the host name does not resolve';
    case 'EHOSTUNREACH': case 'ENETUNREACH': return 'the host is unreachable';
    case 'HPE_INVALID_CONSTANT': case 'HPE_INVALID_VERSION': case 'HPE_INVALID_STATUS': case 'HPE_INVALID_HEADER_TOKEN':
      return 'the answer is not valid HTTP';
    default:
      return `${code ? code + ': ' : ''}${cause.message ?? e.message ?? 'request failed'}`;
  }
}
