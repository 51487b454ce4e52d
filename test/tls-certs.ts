/**
 * Certificates for TLS tests, made with the openssl CLI (node:crypto cannot issue X.509) in a
 * fresh temporary directory: a test CA, a server certificate for 127.0.0.1 and localhost, and
 * client certificates signed by it (valid, expired), one signed by another CA, and keys in the
 * forms a user may paste (PKCS#8, traditional EC, encrypted).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Pair {
  certificate: string;
  privateKey: string;
}

export interface TestCertificates {
  dir: string;
  /** The CA's certificate (PEM), which receivers trust for clients and hookd for receivers. */
  ca: string;
  /** Its file, for NODE_EXTRA_CA_CERTS or a receiver's `ca`. */
  caFile: string;
  /** For 127.0.0.1 and localhost, signed by the CA. */
  server: Pair;
  /** For the name localhost only: a connection verified against 127.0.0.1 refuses it. */
  namedServer: Pair;
  /** CN=hookd-client, valid for a day. */
  client: Pair;
  /** CN=expired-client: its notAfter is a day before it was made. */
  expired: Pair;
  /** CN=stranger, valid, signed by a CA the receivers do not trust. */
  stranger: Pair;
  /** `client`'s key in the traditional EC form (BEGIN EC PRIVATE KEY). */
  traditionalKey: string;
  /** `client`'s key encrypted with a passphrase (BEGIN ENCRYPTED PRIVATE KEY). */
  encryptedKey: string;
  remove(): void;
}

export function makeTestCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'hookd-tls-'));
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string) => readFileSync(at(name), 'utf8');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

  const selfSigned = (name: string, cn: string) =>
    openssl('req', '-x509', ...ec, '-keyout', `${name}.key`, '-out', `${name}.pem`, '-days', '2', '-subj', `/CN=${cn}`);
  selfSigned('ca', 'hookd test CA');
  selfSigned('other-ca', 'another CA');

  /** A certificate signed by `caName`; `days` -1 makes one that expired a day ago. */
  const issue = (name: string, cn: string, caName: string, days: number, extensions?: string) => {
    openssl('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    const ext = extensions ? (writeFileSync(at(`${name}.ext`), extensions), ['-extfile', `${name}.ext`]) : [];
    openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${caName}.pem`, '-CAkey', `${caName}.key`, '-CAcreateserial', '-days', String(days), '-out', `${name}.pem`, ...ext);
    return { certificate: read(`${name}.pem`), privateKey: read(`${name}.key`) };
  };
  const server = issue('server', 'localhost', 'ca', 2, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const namedServer = issue('named-server', 'localhost', 'ca', 2, 'subjectAltName=DNS:localhost\nextendedKeyUsage=serverAuth\n');
  const client = issue('client', 'hookd-client', 'ca', 1, 'extendedKeyUsage=clientAuth\n');
  const expired = issue('expired', 'expired-client', 'ca', -1, 'extendedKeyUsage=clientAuth\n');
  const stranger = issue('stranger', 'stranger', 'other-ca', 1, 'extendedKeyUsage=clientAuth\n');
  openssl('ec', '-in', 'client.key', '-out', 'client-traditional.key');
  openssl('pkcs8', '-topk8', '-in', 'client.key', '-out', 'client-encrypted.key', '-passout', 'pass:secret-passphrase');

  return {
    dir, ca: read('ca.pem'), caFile: at('ca.pem'), server, namedServer, client, expired, stranger,
    traditionalKey: read('client-traditional.key'), encryptedKey: read('client-encrypted.key'),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
