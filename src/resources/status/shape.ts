/**
 * The answer of `GET /v1/status` (what `hookd status` shows): its schema, and the function that
 * renders the store's delivery health as it.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Mode } from '../../domain/types.js';
import type { DeliveryHealth } from '../../store/types.js';
import { iso, Timestamp } from '../../api/schemas.js';

export const StatusObject = Type.Object({
  scope: Type.Object({ workspace: Type.Union([Type.String(), Type.Null()]), live: Type.Union([Type.Boolean(), Type.Null()]) }, {
    description: 'The workspace and mode summarised; both null for the whole store (the platform key without X-Workspace-Id)',
  }),
  generated: Timestamp,
  deliveries: Type.Object({
    pending: Type.Integer({ description: 'Deliveries waiting for their next attempt' }),
    oldest_due: Type.Union([Timestamp, Type.Null()], { description: 'When the longest-waiting pending delivery was due' }),
  }),
  failing_endpoints: Type.Object({
    count: Type.Integer({ description: 'Endpoints whose latest attempts all failed' }),
    data: Type.Array(Type.Object({
      id: Type.String(), url: Type.String(), status: Type.String(), failing_since: Timestamp, workspace: Type.String(), live: Type.Boolean(),
    }), { description: 'The longest-failing first' }),
  }),
  recent_errors: Type.Array(Type.Object({
    attempted: Timestamp, delivery: Type.String(), event: Type.String(), endpoint: Type.String(), url: Type.String(),
    code: Type.Union([Type.Integer(), Type.Null()]), error: Type.Union([Type.String(), Type.Null()]), manual: Type.Boolean(),
    workspace: Type.String(), live: Type.Boolean(),
  }), { description: 'Failed attempts of the last 24 hours, newest first' }),
}, { $id: 'Status' });

export type StatusJson = Static<typeof StatusObject>;

/** `scope` null: the whole store. */
export function renderStatus(health: DeliveryHealth, scope: Mode | null, now: number): StatusJson {
  return {
    scope: { workspace: scope?.workspace ?? null, live: scope?.live ?? null },
    generated: iso(now),
    deliveries: { pending: health.pending, oldest_due: health.oldestDue === null ? null : iso(health.oldestDue) },
    failing_endpoints: {
      count: health.failingEndpointCount,
      data: health.failingEndpoints.map((e) => ({ id: e.id, url: e.url, status: e.status, failing_since: iso(e.failingSince), workspace: e.workspace, live: e.live })),
    },
    recent_errors: health.recentErrors.map((e) => ({
      attempted: iso(e.attempted), delivery: e.delivery, event: e.event, endpoint: e.endpoint, url: e.url, code: e.code, error: e.error,
      manual: e.manual, workspace: e.workspace, live: e.live,
    })),
  };
}
