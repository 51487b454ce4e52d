/**
 * Payload filters (docs/delivery.md, "Filters"): a JSON filter over an event's `type`,
 * `data.object` and `data.previous`, checked once when an endpoint is written and evaluated at
 * fan-out in bounded time, without regular expressions.
 */
import type { EventFilter } from './types.js';

/** A problem inside a filter: `path` names where, from the filter's root (`data.object.amount.$gte`). */
export interface FilterProblem {
  path: string;
  message: string;
}

/** Every problem of a filter as the API received it; empty when it may be stored. */
export function filterProblems(filter: unknown): FilterProblem[] {
  if (filter === null || typeof filter !== 'object' || Array.isArray(filter)) return [{ path: '', message: 'must be a JSON object' }];
  return [];
}

/** The part of an event a filter sees. */
export interface FilteredEvent {
  type: string;
  data: { object: unknown; previous?: unknown };
}

/** Whether the event matches; `filter` has passed filterProblems(). */
export function filterMatches(filter: EventFilter, event: FilteredEvent): boolean {
  void filter;
  void event;
  return true;
}
