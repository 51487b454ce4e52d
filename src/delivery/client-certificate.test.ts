import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTestCertificates } from '../../test/tls-certs.js';
import { checkClientCertificate, summariseCertificate } from './client-certificate.js';

const certs = makeTestCertificates();
afterAll(() => certs.remove());
const leaf = new X509Certificate(certs.client.certificate);
const now = Date.parse(leaf.validFrom) + 60_000;
const pair = (certificate: string, private_key: string) => ({ certificate, private_key });

describe('checkClientCertificate', () => {
  it.each([
    ['a PKCS#8 key', pair(certs.client.certificate, certs.client.privateKey)],
    ['a traditional EC key', pair(certs.client.certificate, certs.traditionalKey)],
    ['a chain with the leaf first', pair(certs.client.certificate + certs.ca, certs.client.privateKey)],
    ['text around the PEM blocks', pair(`subject=CN = hookd-client\n${certs.client.certificate}`, certs.client.privateKey)],
  ])('takes %s', (_, input) => {
    const checked = checkClientCertificate(input, now);
    expect(checked).toEqual({ value: { certificate: input.certificate.trim() + '\n', privateKey: input.private_key.trim() + '\n' } });
  });

  it.each([
    ['a certificate that is not PEM', pair('MIIB...', certs.client.privateKey), 'certificate', /must be PEM/],
    ['a PEM block that is not a certificate', pair('-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n', certs.client.privateKey), 'certificate', /must be PEM/],
    ['a key that is not PEM', pair(certs.client.certificate, 'hunter2'), 'private_key', /must be a PEM private key/],
    ['a public key for a key', pair(certs.client.certificate, '-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n'), 'private_key', /must be a PEM private key/],
    ['a broken key block', pair(certs.client.certificate, '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n'), 'private_key', /cannot be read/],
    ['an encrypted key', pair(certs.client.certificate, certs.encryptedKey), 'private_key', /encrypted with a passphrase.*no field for one/],
    ['a traditional encrypted key', pair(certs.client.certificate, '-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n\nAAAA\n-----END EC PRIVATE KEY-----\n'), 'private_key', /encrypted with a passphrase/],
    ['another certificate\'s key', pair(certs.client.certificate, certs.stranger.privateKey), 'private_key', /does not belong to the certificate/],
    ['a chain with the CA first', pair(certs.ca + certs.client.certificate, certs.client.privateKey), 'private_key', /does not belong to the certificate/],
    ['an expired certificate', pair(certs.expired.certificate, certs.expired.privateKey), 'certificate', /has expired: it was valid until 20/],
  ])('refuses %s, naming the field', (_, input, field, message) => {
    const checked = checkClientCertificate(input, now);
    expect(checked).toHaveProperty('problems');
    const problems = (checked as { problems: Record<string, string[]> }).problems;
    expect(Object.keys(problems)).toEqual([field]);
    expect(problems[field]!.join(' ')).toMatch(message);
    // No message repeats what was sent.
    expect(JSON.stringify(problems)).not.toContain('MII');
  });

  it('refuses a certificate that is not valid yet', () => {
    const checked = checkClientCertificate(pair(certs.client.certificate, certs.client.privateKey), Date.parse(leaf.validFrom) - 1_000);
    expect(checked).toEqual({ problems: { certificate: [expect.stringMatching(/is not valid yet: its validity starts 20/)] } });
  });

  it('names both fields when both are wrong', () => {
    const checked = checkClientCertificate(pair('nope', 'nope'), now);
    expect(Object.keys((checked as { problems: object }).problems).sort()).toEqual(['certificate', 'private_key']);
  });
});

describe('summariseCertificate', () => {
  it('describes the leaf of a chain, without its key', () => {
    const summary = summariseCertificate({ certificate: certs.client.certificate + certs.ca, privateKey: certs.client.privateKey });
    expect(summary).toEqual({ subject: 'CN=hookd-client', issuer: 'CN=hookd test CA', expires: Date.parse(leaf.validTo), fingerprint: leaf.fingerprint256 });
  });
});
