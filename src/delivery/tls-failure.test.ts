import { describe, expect, it } from 'vitest';
import { describeTlsFailure } from './tls-failure.js';

describe('describeTlsFailure', () => {
  it.each([
    ['ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED', 'the receiver refused the TLS handshake: certificate required (the endpoint has no client certificate)'],
    ['ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE', 'the receiver refused the TLS handshake: handshake failure (it may require a client certificate, or share no cipher with hookd)'],
    ['ERR_SSL_TLSV1_ALERT_UNKNOWN_CA', 'the receiver refused the TLS handshake: it does not trust the issuer of the client certificate'],
    ['ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED', 'the receiver refused the TLS handshake: it finds the client certificate expired'],
    ['ERR_SSL_TLSV1_ALERT_DECODE_ERROR', 'the receiver refused the TLS handshake: decode error'],
    ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'the receiver\'s certificate is not trusted: its issuer is not a trusted CA (or the receiver does not send its intermediates)'],
    ['DEPTH_ZERO_SELF_SIGNED_CERT', 'the receiver\'s certificate is not trusted: it is self-signed'],
    ['CERT_HAS_EXPIRED', 'the receiver\'s certificate has expired'],
    ['ERR_TLS_CERT_ALTNAME_INVALID', 'the receiver\'s certificate is not valid for the endpoint\'s host name'],
    ['ERR_SSL_WRONG_VERSION_NUMBER', 'TLS failed: the receiver does not speak TLS on this port (an http:// server behind an https:// URL?)'],
  ])('%s', (code, words) => {
    expect(describeTlsFailure(code, 'OpenSSL says something')).toBe(words);
  });

  it('keeps OpenSSL\'s reason, without its prefix, for other SSL errors', () => {
    expect(describeTlsFailure('ERR_SSL_NO_SHARED_CIPHER', '40E7:error:0A0000C1:SSL routines:tls_post_process_client_hello:no shared cipher')).toBe('TLS failed: no shared cipher');
  });

  it.each([[undefined], ['ECONNREFUSED'], ['UND_ERR_SOCKET']])('is null for %s', (code) => {
    expect(describeTlsFailure(code, 'x')).toBeNull();
  });
});
