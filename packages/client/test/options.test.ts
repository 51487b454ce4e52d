import { describe, expect, it } from 'vitest';
import { createClient } from '../src/index.js';
import { likelyOption } from '../src/options.js';

const base = { url: 'http://127.0.0.1:8080', key: 'fskt_x', fetch: async () => new Response('{}') };

describe('createClient options', () => {
  it.each<[string, Record<string, unknown>, RegExp]>([
    ['a misspelt option names the likely one', { workspaceId: 'wksp_1' }, /unknown option "workspaceId" \(did you mean "workspace"\?\)/],
    ['the same letters in another case', { URL: 'http://x' }, /unknown option "URL" \(did you mean "url"\?\)/],
    ['a near spelling', { timout: 5 }, /unknown option "timout" \(did you mean "timeout"\?\)/],
    ['apiKey', { apiKey: 'x' }, /unknown option "apiKey" \(did you mean "key"\?\)/],
    ['nothing close: the list of options', { frobnicate: 1 }, /unknown option "frobnicate"; the options are url, key, workspace, live, fetch/],
    ['url not absolute', { url: 'localhost:8080' }, /option "url" must (use http or https|be an absolute URL)/],
    ['url of another scheme', { url: 'ftp://x' }, /option "url" must use http or https, got "ftp:"/],
    ['empty key', { key: '' }, /option "key" must be a non-empty string/],
    ['live as a string', { live: 'true' }, /option "live" must be true or false/],
    ['timeout 0', { timeout: 0 }, /option "timeout" must be a number of milliseconds above 0/],
    ['negative maxRetryTime', { maxRetryTime: -1 }, /option "maxRetryTime" must be a number of milliseconds, 0 or more/],
    ['fetch not a function', { fetch: 'fetch' }, /option "fetch" must be a function/],
    ['headers with a number', { headers: { 'x-a': 1 } }, /option "headers" must be an object of strings/],
  ])('%s', (_name, change, message) => {
    expect(() => createClient({ ...base, ...change } as never)).toThrow(message);
  });

  it('url and key are required', () => {
    expect(() => createClient({ key: 'x' } as never)).toThrow(/option "url" is required/);
    expect(() => createClient({ url: 'http://x' } as never)).toThrow(/option "key" is required/);
  });

  it('errors are TypeErrors: a mistake in the code, not an answer of the API', () => {
    expect(() => createClient({ ...base, wokspace: 'x' } as never)).toThrow(TypeError);
  });

  it('accepts every documented option, and undefined for any of them', () => {
    expect(() => createClient({ ...base, workspace: 'wksp_1', live: false, timeout: 1000, maxRetryTime: 0, headers: { 'user-agent': 'me' }, sleep: async () => {}, now: () => 0, random: () => 0 })).not.toThrow();
    expect(() => createClient({ ...base, workspace: undefined, live: undefined })).not.toThrow();
  });

  it.each<[string, string | undefined]>([
    ['workspaceId', 'workspace'], ['Workspace', 'workspace'], ['liveMode', 'live'], ['retryTime', 'maxRetryTime'], ['maxRetries', 'maxRetryTime'],
    ['header', 'headers'], ['baseUrl', 'url'], ['apiKey', 'key'], ['zzz', undefined],
  ])('likelyOption(%j) is %j', (name, expected) => {
    expect(likelyOption(name)).toBe(expected);
  });
});
