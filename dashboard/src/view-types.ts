/**
 * Types the dashboard adds to types.ts, which is generated from hookd's OpenAPI document
 * (scripts/dashboard-types.mjs; docs/development.md): names for answers the document leaves
 * unnamed, derived from it so that they follow it, and shapes only the browser makes.
 */
import type { Problem, Responses } from './types.js';

/** One hour of GET /v1/stats/hourly, or of an endpoint's GET …/stats. */
export type HourStats = Responses['GET /v1/stats/hourly'][number];

/** One endpoint's row of GET /v1/stats/endpoints. */
export type EndpointStats = Responses['GET /v1/stats/endpoints'][number];

/**
 * The problem an ApiError carries: hookd's problem+json, or one the dashboard makes up when no
 * such body came (hookd did not answer, or something in between answered), which has only a
 * title and a status.
 */
export type ShownProblem = Pick<Problem, 'title' | 'status'> & Partial<Problem>;
