/**
 * Schemas shared by the routes, written once in TypeBox: they validate requests, type the
 * handlers and become the OpenAPI document. Patterns carry a readable rule (`ruled`,
 * plugins/problem.ts) that the problem handler shows instead of the raw regular expression.
 */
import { Type, type TSchema } from '@sinclair/typebox';
import { CONTROL_RANGE, NO_CONTROL_RULE } from '../domain/endpoint-rules.js';
import { ID_BODY_LENGTH, type IdPrefix } from '../domain/ids.js';
import { ruled } from './plugins/problem.js';


const ID_NAMES: Record<IdPrefix, string> = {
  wksp: 'a workspace id (wksp_…)', we: 'a webhook endpoint id (we_…)', evt: 'an event id (evt_…)',
  wh: 'a webhook delivery id (wh_…)', wha: 'an attempt id (wha_…)', req: 'a request id (req_…)',
};

export const IdString = (prefix: IdPrefix) =>
  Type.String({ pattern: ruled(`^${prefix}_[0-9A-Za-z]{${ID_BODY_LENGTH}}$`, `must be ${ID_NAMES[prefix]}`), examples: [`${prefix}_0Q7c2wQq1aZkXb3Ryl9mT5vP`] });

const NO_CONTROL_TEXT = `${NO_CONTROL_RULE} such as a line break or ESC`;

/**
 * Free text that is stored and shown (endpoint URLs and descriptions, event-type
 * descriptions): PostgreSQL text cannot hold U+0000 (the insert fails, a 500) where SQLite
 * can, and the other controls reach the terminal of whoever lists it (ESC[2J clears a screen,
 * a line break forges a table row). Refused here, the same on both stores, naming the field.
 * Bidirectional format characters (U+202E) stay allowed: right-to-left text needs them, and
 * the CLI shows them escaped (docs/security.md, "Text shown in a terminal").
 */
export const NO_CONTROL = ruled(`^[^${CONTROL_RANGE}]*$`, NO_CONTROL_TEXT);

/**
 * A name (a workspace's): not blank, and no control character. One pattern, since a schema
 * holds one; the two classes are disjoint (white space that is not a control, then a
 * character that is neither), so matching is linear in the length, even on a 64 KiB body
 * that fails: `^[^X]*[^\sX][^X]*$` backtracks quadratically there.
 */
export const NAME_PATTERN = ruled(`^[^\\S${CONTROL_RANGE}]*[^\\s${CONTROL_RANGE}][^${CONTROL_RANGE}]*$`, `must not be blank, and ${NO_CONTROL_TEXT}`);

export const EVENT_TYPE_PATTERN = ruled('^[a-z0-9_]+(\\.[a-z0-9_]+)+$', 'must be dot-separated lowercase words, such as payment.refund.failed');

export const Timestamp = Type.String({ format: 'date-time', description: 'ISO 8601, UTC, millisecond precision' });

/** A time (Unix ms) as a Timestamp. */
export const iso = (ms: number): string => new Date(ms).toISOString();

/** s: a rolled key or secret keeps working at most a week; a longer overlap would defeat the point of rolling a leaked one. */
const ROLL_GRACE_MAX_S = 7 * 86_400;

/** The `expires_in` of a roll: how long what it replaces keeps working. */
export const RollGrace = (description: string) => Type.Optional(Type.Integer({ minimum: 0, maximum: ROLL_GRACE_MAX_S, description }));

export const Problem = Type.Object({
  type: Type.String(),
  title: Type.String(),
  status: Type.Integer(),
  detail: Type.Optional(Type.String()),
  instance: Type.Optional(Type.String()),
  errors: Type.Optional(Type.Record(Type.String(), Type.Array(Type.String()))),
  traceId: Type.String(),
}, { $id: 'Problem', description: 'RFC 9457 problem details' });

export const ListQuery = {
  count: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 10, description: 'Items per page, 1–100' })),
  sort: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')], { default: 'desc' })),
  ct: Type.Optional(Type.String({ maxLength: 512, description: 'Continuation token from X-Continuation-Token' })),
  'created.eq': Type.Optional(Type.String()),
  'created.lt': Type.Optional(Type.String()),
  'created.lte': Type.Optional(Type.String()),
  'created.gt': Type.Optional(Type.String()),
  'created.gte': Type.Optional(Type.String()),
  'updated.eq': Type.Optional(Type.String()),
  'updated.lt': Type.Optional(Type.String()),
  'updated.lte': Type.Optional(Type.String()),
  'updated.gt': Type.Optional(Type.String()),
  'updated.gte': Type.Optional(Type.String()),
};

/** Standard error answers for a route, for the OpenAPI document. */
export function withProblems<T extends Record<number, TSchema>>(ok: T, ...statuses: number[]) {
  const out: Record<number, TSchema> = { ...ok };
  for (const s of [400, 401, ...statuses]) out[s] = Type.Ref('Problem');
  return out;
}
