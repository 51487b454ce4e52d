/**
 * Client certificates for mutual TLS (docs/delivery.md, "Mutual TLS"): the PEM pair an
 * endpoint gives is checked once when it is written, and described (never its key) when read.
 */
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { ClientCertificate } from '../domain/types.js';

/** What the endpoint object shows of its certificate. */
export interface CertificateSummary {
  subject: string;
  issuer: string;
  /** ms epoch: the leaf's notAfter. */
  expires: number;
  /** SHA-256 of the leaf, colon-separated hex as `openssl x509 -fingerprint -sha256` prints it. */
  fingerprint: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Each certificate of a PEM chain, in order, or null when one is not a certificate. */
function parseChain(pem: string): X509Certificate[] | null {
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) return null;
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch {
    return null;
  }
}

function parseKey(pem: string): KeyObject | string {
  // Both PKCS#8 (ENCRYPTED PRIVATE KEY) and OpenSSL's traditional form (Proc-Type: 4,ENCRYPTED).
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(pem)) {
    return 'is encrypted with a passphrase, and hookd has no field for one: give the key unencrypted (hookd encrypts it at rest), e.g. `openssl pkey -in key.pem -out plain.pem`';
  }
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return 'must be a PEM private key (-----BEGIN PRIVATE KEY----- or a traditional RSA/EC key)';
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return 'must be a PEM private key (-----BEGIN PRIVATE KEY----- or a traditional RSA/EC key); this one cannot be read';
  }
}

/** The pair as the API received it, or the problems that keep it from being stored, each a message for `client_certificate.<field>`. */
export function checkClientCertificate(input: { certificate: string; private_key: string }, now: number): { value: ClientCertificate } | { problems: Record<string, string[]> } {
  const problems: Record<string, string[]> = {};
  const add = (field: 'certificate' | 'private_key', message: string) => (problems[field] ??= []).push(message);

  const chain = parseChain(input.certificate);
  const key = parseKey(input.private_key);
  if (!chain) add('certificate', 'must be PEM: one or more -----BEGIN CERTIFICATE----- blocks, the client certificate first, then any intermediates');
  else {
    const leaf = chain[0]!;
    const from = Date.parse(leaf.validFrom);
    const to = Date.parse(leaf.validTo);
    if (now < from) add('certificate', `is not valid yet: its validity starts ${new Date(from).toISOString()}`);
    if (now > to) add('certificate', `has expired: it was valid until ${new Date(to).toISOString()}`);
  }
  if (typeof key === 'string') add('private_key', key);
  else if (key.type !== 'private') add('private_key', 'must be a private key');
  // The leaf is the certificate presented; a chain whose first block is an intermediate fails here too.
  else if (chain && !chain[0]!.checkPrivateKey(key)) add('private_key', 'does not belong to the certificate: their public keys differ (the client certificate must come first in `certificate`)');

  if (Object.keys(problems).length > 0) return { problems };
  return { value: { certificate: input.certificate.trim() + '\n', privateKey: input.private_key.trim() + '\n' } };
}

export function summariseCertificate(pair: ClientCertificate): CertificateSummary {
  const leaf = new X509Certificate(pair.certificate);
  return { subject: leaf.subject, issuer: leaf.issuer, expires: Date.parse(leaf.validTo), fingerprint: leaf.fingerprint256 };
}
