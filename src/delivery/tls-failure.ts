/**
 * A failed TLS handshake in words for the attempt's `error` (docs/delivery.md, "Mutual TLS"):
 * whether the receiver refused hookd (an alert it sent: no client certificate, an issuer it
 * does not trust) or hookd refused the receiver (its certificate), which an operator fixes in
 * different places. Node reports the first as ERR_SSL_<version>_ALERT_<name> from OpenSSL and
 * the second as OpenSSL's verify codes.
 */

/** The receiver's certificate, as tls.connect rejects it. */
const RECEIVER_CERTIFICATE: Record<string, string> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the receiver\'s certificate is not trusted: its issuer is not a trusted CA (or the receiver does not send its intermediates)',
  UNABLE_TO_GET_ISSUER_CERT: 'the receiver\'s certificate is not trusted: its issuer is not a trusted CA',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the receiver\'s certificate is not trusted: its issuer is not a trusted CA',
  SELF_SIGNED_CERT_IN_CHAIN: 'the receiver\'s certificate is not trusted: its chain ends in a CA hookd does not trust',
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the receiver\'s certificate is not trusted: it is self-signed',
  CERT_HAS_EXPIRED: 'the receiver\'s certificate has expired',
  CERT_NOT_YET_VALID: 'the receiver\'s certificate is not valid yet',
  CERT_REVOKED: 'the receiver\'s certificate is revoked',
  CERT_SIGNATURE_FAILURE: 'the receiver\'s certificate is not trusted: its signature does not verify',
  CERT_UNTRUSTED: 'the receiver\'s certificate is not trusted',
  CERT_REJECTED: 'the receiver\'s certificate is not trusted',
  INVALID_CA: 'the receiver\'s certificate is not trusted: its chain holds a certificate that is not a CA',
  ERR_TLS_CERT_ALTNAME_INVALID: 'the receiver\'s certificate is not valid for the endpoint\'s host name',
};

/** OpenSSL alert names (the end of ERR_SSL_…_ALERT_<NAME>) the receiver sends when it refuses the handshake. */
const ALERTS: Record<string, string> = {
  CERTIFICATE_REQUIRED: 'certificate required (the endpoint has no client certificate)',
  HANDSHAKE_FAILURE: 'handshake failure (it may require a client certificate, or share no cipher with hookd)',
  UNKNOWN_CA: 'it does not trust the issuer of the client certificate',
  BAD_CERTIFICATE: 'it rejected the client certificate',
  UNSUPPORTED_CERTIFICATE: 'it does not accept this kind of client certificate',
  CERTIFICATE_EXPIRED: 'it finds the client certificate expired',
  CERTIFICATE_REVOKED: 'the client certificate is revoked',
  CERTIFICATE_UNKNOWN: 'it rejected the client certificate',
  ACCESS_DENIED: 'access denied to the client certificate',
  PROTOCOL_VERSION: 'no TLS version in common',
  INSUFFICIENT_SECURITY: 'no cipher strong enough for it',
  UNRECOGNIZED_NAME: 'it does not serve the endpoint\'s host name',
};

/** The words for a TLS failure by its code, or null when the code is not one. */
export function describeTlsFailure(code: string | undefined, message: string | undefined): string | null {
  if (!code) return null;
  const receiver = RECEIVER_CERTIFICATE[code];
  if (receiver) return receiver;
  const alert = /^ERR_SSL_(?:SSLV3|TLSV1|TLSV13)_ALERT_([A-Z_]+)$/.exec(code)?.[1];
  if (alert) return `the receiver refused the TLS handshake: ${ALERTS[alert] ?? alert.toLowerCase().replaceAll('_', ' ')}`;
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER') return 'TLS failed: the receiver does not speak TLS on this port (an http:// server behind an https:// URL?)';
  if (code.startsWith('ERR_SSL_') || code.startsWith('ERR_TLS_')) {
    return `TLS failed: ${(message ?? code.slice(8).toLowerCase().replaceAll('_', ' ')).replace(/^[0-9A-F]+:error:[0-9A-F]+:SSL routines:[^:]*:/i, '').trim()}`;
  }
  return null;
}
