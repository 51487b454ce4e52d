/**
 * Bytes, UTF-8, hex and base64 without Buffer: TextEncoder/TextDecoder and atob, which every
 * runtime this package targets has (Node 18+, Deno, Bun, browsers, edge workers).
 */
import { UnsupportedBodyError } from './errors.js';

/** What a verifier accepts as the raw body: the exact bytes received, or their UTF-8 text. */
export type RawBody = string | Uint8Array | ArrayBuffer;

const encoder = new TextEncoder();

export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

export function decodeUtf8(bytes: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
}

function isArrayBuffer(value: unknown): value is ArrayBuffer {
  // Works across realms (an ArrayBuffer from another window, worker or vm context).
  return value instanceof ArrayBuffer || Object.prototype.toString.call(value) === '[object ArrayBuffer]';
}

/**
 * The raw body as bytes. A string is taken as the UTF-8 text of the body; a Uint8Array (a Node
 * Buffer is one), any other ArrayBuffer view, or an ArrayBuffer as the bytes themselves.
 * Anything else is the receiver's mistake (usually a JSON body parser that ran first), and the
 * error says so.
 */
export function bodyBytes(body: unknown): Uint8Array {
  if (typeof body === 'string') return utf8(body);
  if (body instanceof Uint8Array) return body;
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength);
  if (isArrayBuffer(body)) return new Uint8Array(body);
  if (body === undefined || body === null) {
    throw new UnsupportedBodyError(
      `The raw body is ${String(body)}: nothing captured the request bytes. Pass the body exactly as received ` +
      '(a string, Uint8Array/Buffer or ArrayBuffer), e.g. express.raw({ type: "application/json" }) on the webhook route, ' +
      'await request.arrayBuffer() with the Fetch API, or one of the @hookd/verify adapters.',
    );
  }
  if (typeof body === 'object') {
    throw new UnsupportedBodyError(
      'The body is an already-parsed object, not the raw bytes: a JSON body parser (e.g. express.json()) ran before verification. ' +
      'A signature covers the exact bytes that were sent, and a parsed body serialised again does not match them. ' +
      'Verify the raw body: use express.raw({ type: "application/json" }) on the webhook route (or the @hookd/verify adapters) and parse after verifying.',
    );
  }
  throw new UnsupportedBodyError(`The body is a ${typeof body}: pass the raw request body as a string, Uint8Array/Buffer or ArrayBuffer.`);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const p of parts) length += p.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

const HEX = /^[0-9a-fA-F]*$/;

/** Hex to bytes, or null when the text is not an even number of hex digits. */
export function hexToBytes(hex: string): Uint8Array | null {
  if (hex.length % 2 !== 0 || !HEX.test(hex)) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

// Standard alphabet; padding optional (atob accepts both), at most two '='.
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}(?:==)?|[A-Za-z0-9+/]{3}=?)?$/;

/** Standard base64 (RFC 4648 §4, padding optional) to bytes, or null when it is not base64. */
export function base64ToBytes(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    return null;
  }
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}
