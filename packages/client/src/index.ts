/**
 * @hookd/client: the hookd API from a platform's backend. Zero dependencies; fetch and other
 * web-standard APIs only, so it runs on Node 18+, Deno and Bun. README.md has the guide.
 */
export { createClient, newIdempotencyKey } from './client.js';
export type { CallOptions, ConditionalOptions, HookdClient, Operation, PathParams, Query, RequestBody, RequestInput, ResponseBody, WriteOptions } from './client.js';
export { HookdApiError, isHookdApiError, NO_ANSWER_CODES, UNKNOWN_PROBLEM_CODE } from './errors.js';
export type { ClientOptions, FetchLike } from './options.js';
export type { List, Page } from './pages.js';
export type { Answer, QueryValue } from './transport.js';
export type * from './types.js';
