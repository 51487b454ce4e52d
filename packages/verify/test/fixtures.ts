/**
 * What hookd sends, built by hookd's own code: `buildRequest` (src/delivery/attempt.ts) serialises
 * the body for the endpoint's format, and the sender's `headersToSend` (src/delivery/sender.ts)
 * signs it with every secret still valid, through src/delivery/signing.ts. The tests verify
 * those exact headers and bytes.
 */
import { plainDelivery } from '../../../src/domain/endpoint-rules.js';
import { buildRequest } from '../../../src/delivery/attempt.js';
import { headersToSend } from '../../../src/delivery/sender.js';
import { newId, newWebhookSecret } from '../../../src/domain/ids.js';
import { newSigningKey } from '../../../src/domain/signing-keys.js';
import type { Endpoint, EndpointFormat, HookdEvent } from '../../../src/domain/types.js';

export const NOW_MS = Date.UTC(2026, 0, 15, 12, 0, 0);
export const NOW = Math.floor(NOW_MS / 1000);

export function sampleEvent(overrides: Partial<HookdEvent> = {}): HookdEvent {
  return {
    id: newId('evt', NOW_MS),
    workspace: 'wksp_0123456789abcdef',
    live: false,
    type: 'message.delivered',
    data: {
      object: { id: 'msg_123', to: '+254722000000', body: 'Karibu — café ✓', status: 'delivered', amount: 1000 },
      previous: { status: 'sent' },
    },
    requestId: 'req_abc',
    idempotencyKey: 'idem-1',
    redaction: null,
    created: NOW_MS - 1000,
    updated: NOW_MS - 1000,
    etag: 'W/"1"',
    ...overrides,
  };
}

export function sampleEndpoint(overrides: Partial<Endpoint> = {}): Endpoint {
  return {
    id: newId('we', NOW_MS),
    workspace: 'wksp_0123456789abcdef',
    live: false,
    url: 'http://127.0.0.1:1/webhooks',
    description: null,
    format: 'basic',
    status: 'enabled',
    events: ['*'],
    secret: newWebhookSecret(),
    token: null,
    metadata: {},
    created: NOW_MS,
    updated: NOW_MS,
    etag: 'W/"1"',
    previousSecrets: [],
    failingSince: null,
    retrySchedule: null,
    ordering: 'unordered',
    rateLimit: null,
    ...plainDelivery(),
    ...overrides,
  };
}

export interface Delivery {
  body: string;
  headers: Record<string, string>;
  /** The current secret first, then the rolled ones still signing. */
  secrets: string[];
  event: HookdEvent;
  endpoint: Endpoint;
}

/** A delivery exactly as hookd builds it, at `nowMs`. `rolled` adds that many rolled secrets still in their grace period. */
export function hookdDelivery(options: { format?: EndpointFormat; rolled?: number; nowMs?: number; typePrefix?: string; event?: Partial<HookdEvent> } = {}): Delivery {
  const nowMs = options.nowMs ?? NOW_MS;
  const previousSecrets = Array.from({ length: options.rolled ?? 0 }, () => ({ secret: newWebhookSecret(), expires: nowMs + 86_400_000 }));
  const endpoint = sampleEndpoint({ format: options.format ?? 'basic', previousSecrets });
  const event = sampleEvent(options.event);
  const request = buildRequest(event, endpoint, options.typePrefix ?? 'io.falu.', nowMs);
  return { body: request.body, headers: headersToSend(request), secrets: [endpoint.secret, ...previousSecrets.map((p) => p.secret)], event, endpoint };
}

export interface Ed25519Delivery {
  body: string;
  headers: Record<string, string>;
  /** The current public key first, then the rolled ones still signing. */
  publicKeys: string[];
  secret: string;
}

/** A delivery from an Ed25519 endpoint exactly as hookd builds it; `rolled` adds rolled key pairs still in their grace period. */
export function hookdEd25519Delivery(options: { rolled?: number; nowMs?: number } = {}): Ed25519Delivery {
  const nowMs = options.nowMs ?? NOW_MS;
  const previousSigningKeys = Array.from({ length: options.rolled ?? 0 }, () => ({ ...newSigningKey(), expires: nowMs + 86_400_000 }));
  const endpoint = sampleEndpoint({ signing: 'ed25519', signingKey: newSigningKey(), previousSigningKeys });
  const request = buildRequest(sampleEvent(), endpoint, 'io.falu.', nowMs);
  return { body: request.body, headers: headersToSend(request), publicKeys: [endpoint.signingKey!.publicKey, ...previousSigningKeys.map((k) => k.publicKey)], secret: endpoint.secret };
}
