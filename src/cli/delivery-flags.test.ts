import { describe, expect, it } from 'vitest';
import { deliveryBody, deliveryRows, type DeliveryFlags } from './delivery-flags.js';

const files: Record<string, string> = {
  'cert.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  'key.pem': '-----BEGIN PRIVATE KEY-----\nsecretkeybytes\n-----END PRIVATE KEY-----\n',
  'filter.json': '{"data":{"object":{"amount":{"$gte":1000}}}}',
  'list.json': '[1]',
};
const read = (path: string): string => {
  if (path in files) return files[path]!;
  throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
};

describe('endpoint delivery flags', () => {
  it.each<[string, DeliveryFlags, 'create' | 'update', object]>([
    ['no flags, no fields', {}, 'create', {}],
    ['a header, the space after the colon optional', { header: ['X-Api-Key: abc', 'X-Team:ops'] }, 'create', { headers: { 'X-Api-Key': 'abc', 'X-Team': 'ops' } }],
    ['a value keeps its later colons', { header: ['X-Url: http://a:1/'] }, 'create', { headers: { 'X-Url': 'http://a:1/' } }],
    ['an empty value is sent as typed (the server judges it)', { header: ['X-Empty:'] }, 'create', { headers: { 'X-Empty': '' } }],
    ['removals are nulls in the merge patch', { removeHeader: ['X-Old'], header: ['X-New: v'] }, 'update', { headers: { 'X-Old': null, 'X-New': 'v' } }],
    ['a filter as JSON', { filter: '{"type":"payment.succeeded"}' }, 'create', { filter: { type: 'payment.succeeded' } }],
    ['a filter from a file', { filter: '@filter.json' }, 'create', { filter: { data: { object: { amount: { $gte: 1000 } } } } }],
    ['none removes the filter', { filter: 'none' }, 'update', { filter: null }],
    ['a certificate and its key, read from files', { clientCertificate: 'cert.pem', clientKey: 'key.pem' }, 'create',
      { client_certificate: { certificate: files['cert.pem'], private_key: files['key.pem'] } }],
    ['none removes the certificate', { clientCertificate: 'none' }, 'update', { client_certificate: null }],
    ['signing', { signing: 'ed25519' }, 'create', { signing: 'ed25519' }],
  ])('%s', (_name, flags, mode, body) => {
    expect(deliveryBody(flags, mode, read)).toEqual(body);
  });

  it.each<[string, DeliveryFlags, 'create' | 'update', RegExp]>([
    ['a header without a colon', { header: ['X-Api-Key abc'] }, 'create', /^--header must be 'Name: value'/],
    ['a header without a name', { header: [': abc'] }, 'create', /^--header must be 'Name: value'/],
    ['a header given twice, in any case', { header: ['X-A: 1', 'x-a: 2'] }, 'create', /--header x-a is given twice/],
    ['a header set and removed', { header: ['X-A: 1'], removeHeader: ['X-A'] }, 'update', /--header X-A is given twice, or also removed/],
    ['removing on create', { removeHeader: ['X-A'] }, 'create', /--remove-header is for endpoints update/],
    ['a filter that is not JSON', { filter: '{amount: 1}' }, 'create', /^--filter must be a JSON object, @file or none: /],
    ['a filter that is an array', { filter: '@list.json' }, 'create', /^--filter must be a JSON object, @file or none, not an array$/],
    ['a filter that is a number', { filter: '5' }, 'create', /not a number$/],
    ['a filter file that is missing', { filter: '@nope.json' }, 'create', /^--filter: cannot read nope\.json \(ENOENT\)$/],
    ['a certificate without its key', { clientCertificate: 'cert.pem' }, 'create', /--client-certificate needs --client-key/],
    ['a key without its certificate', { clientKey: 'key.pem' }, 'update', /--client-key needs --client-certificate/],
    ['a key with none', { clientCertificate: 'none', clientKey: 'key.pem' }, 'update', /--client-key goes with a --client-certificate file/],
    ['removing a certificate on create', { clientCertificate: 'none' }, 'create', /--client-certificate none is for endpoints update/],
    ['a key file that is missing', { clientCertificate: 'cert.pem', clientKey: 'gone.pem' }, 'create', /^--client-key: cannot read gone\.pem \(ENOENT\)$/],
    ['an unknown scheme', { signing: 'rsa' }, 'create', /^--signing must be hmac-sha256 or ed25519, not 'rsa'$/],
  ])('refuses %s, naming the flag', (_name, flags, mode, message) => {
    expect(() => deliveryBody(flags, mode, read)).toThrow(message);
  });

  it('never repeats a header value in a message', () => {
    expect(() => deliveryBody({ header: ['X-Api-Key=s3cr3t-value'] }, 'create', read)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cr3t') }));
    expect(() => deliveryBody({ header: ['X-A: s3cr3t', 'X-A: s3cr3t'] }, 'create', read)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cr3t') }));
  });
});

describe('endpoint delivery rows', () => {
  const cert = { subject: 'CN=hookd client', issuer: 'CN=test CA', expires: '2027-01-01T00:00:00.000Z', fingerprint: 'AB:CD' };
  it.each<[string, Parameters<typeof deliveryRows>[0], boolean, [string, string][]]>([
    ['defaults, for create and update: nothing', { headers: {}, filter: null, client_certificate: null, signing: 'hmac-sha256', public_key: null }, false, []],
    ['defaults, for get: every field', { headers: {}, filter: null, client_certificate: null, signing: 'hmac-sha256', public_key: null }, true,
      [['headers', '-'], ['filter', '-'], ['client_certificate', '-'], ['signing', 'hmac-sha256']]],
    ['everything set', { headers: { 'X-Api-Key': '********' }, filter: { type: 'a.b' }, client_certificate: cert, signing: 'ed25519', public_key: 'whpk_x' }, false,
      [['headers.X-Api-Key', '********'], ['filter', '{"type":"a.b"}'], ['client_certificate', 'CN=hookd client'], ['client_certificate.expires', cert.expires],
        ['signing', 'ed25519'], ['public_key', 'whpk_x']]],
    ['everything set, for get: the issuer and fingerprint too', { headers: {}, filter: null, client_certificate: cert, signing: 'hmac-sha256', public_key: null }, true,
      [['headers', '-'], ['filter', '-'], ['client_certificate', 'CN=hookd client'], ['client_certificate.expires', cert.expires],
        ['client_certificate.issuer', 'CN=test CA'], ['client_certificate.fingerprint', 'AB:CD'], ['signing', 'hmac-sha256']]],
    ['an older server without the fields', {}, true, [['headers', '-'], ['filter', '-'], ['client_certificate', '-'], ['signing', '-']]],
  ])('%s', (_name, endpoint, all, rows) => {
    expect(deliveryRows(endpoint, all).map((r) => [r.field, r.value])).toEqual(rows);
  });
});
