/**
 * Trying a filter against a stored event before an endpoint uses it (docs/delivery.md,
 * "Filters"; the dashboard's Filter panel, docs/dashboard.md): the same checks as an
 * endpoint's `filter`, and the same evaluation as a publish's fan-out.
 */
import { Type } from '@sinclair/typebox';
import { FieldErrorList } from '../../domain/errors.js';
import { addFilterProblems, filterMatches } from '../../domain/event-filter.js';
import type { EventFilter } from '../../domain/types.js';
import type { ApiDeps, App } from '../../api/deps.js';
import { orNotFound } from '../../api/load.js';
import { answer, IdString, withProblems, ScopeHeaders } from '../../api/schemas.js';

const Body = Type.Object({
  filter: Type.Record(Type.String(), Type.Unknown(), { description: 'A filter as an endpoint\'s `filter` takes it (docs/delivery.md, "Filters")' }),
  event: IdString('evt'),
}, { additionalProperties: false });

const Result = Type.Object({
  matches: Type.Boolean({ description: 'A publish of this event would reach an endpoint with this filter whose events cover its type' }),
  event: Type.String(),
  type: Type.String({ description: 'The event\'s type, which the filter may test as `type`' }),
  redacted: Type.Boolean({ description: 'The event\'s data was redacted: the filter saw `{"object": {}}`' }),
});

export async function filterTestRoutes(app: App, { store, auth }: ApiDeps): Promise<void> {
  app.post('/v1/webhooks/filters/test', {
    onRequest: auth.workspace,
    schema: {
      headers: ScopeHeaders, tags: ['webhook endpoints'], operationId: 'testWebhookFilter',
      summary: 'Whether a filter matches a stored event of this workspace and mode; a bad filter gets the 400 an endpoint would',
      body: Body,
      response: withProblems({ 200: answer(Result, 'Whether it matches') }, 403, 404, 409, 413, 415),
    },
  }, async (request) => {
    const errors = new FieldErrorList();
    addFilterProblems(request.body.filter, errors);
    errors.throwIfAny();
    const event = await orNotFound(store.getEvent(request.mode!, request.body.event), 'Event', request.body.event);
    return {
      matches: filterMatches(request.body.filter as EventFilter, event),
      event: event.id, type: event.type, redacted: event.redaction !== null,
    };
  });
}
