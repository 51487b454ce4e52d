import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../config/config.js';
import { publicBase } from './public-url.js';

const bound = (address: string, port = 8080) => ({ address: () => ({ address, port, family: address.includes(':') ? 'IPv6' : 'IPv4' }) });

describe('publicBase', () => {
  it('is HOOKD_PUBLIC_URL when set, wherever the server is bound', () => {
    expect(publicBase({ ...defaultConfig(), publicUrl: 'https://hooks.example.com' }, bound('10.0.0.5'))).toBe('https://hooks.example.com');
  });

  it.each([
    ['0.0.0.0', 'http://localhost:8080'],
    ['::', 'http://localhost:8080'],
    ['127.0.0.1', 'http://127.0.0.1:8080'],
    ['10.1.2.3', 'http://10.1.2.3:8080'],
    ['::1', 'http://[::1]:8080'],
    ['fe80::1%eth0', 'http://[fe80::1%25eth0]:8080'],
  ])('without it, is the bound address: %s -> %s', (address, base) => {
    expect(publicBase({ ...defaultConfig(), publicUrl: '' }, bound(address))).toBe(base);
  });

  it('uses the bound port, not the configured one (port 0 binds any)', () => {
    expect(publicBase({ ...defaultConfig(), publicUrl: '', port: 0 }, bound('127.0.0.1', 41234))).toBe('http://127.0.0.1:41234');
  });

  it('falls back to HOOKD_HOST and HOOKD_PORT before the server listens', () => {
    expect(publicBase({ ...defaultConfig(), publicUrl: '', host: '0.0.0.0', port: 9000 }, { address: () => null })).toBe('http://localhost:9000');
  });
});
