/**
 * Column codecs: the one place that knows how a boolean and a JSON value are stored (schema.ts:
 * 0/1 integers and text, the same in SQLite and PostgreSQL). Every query set maps its rows
 * through these, so a change of storage is a change here.
 */

/** A boolean as its 0/1 integer column. */
export const bit = (b: boolean): number => (b ? 1 : 0);

/** A 0/1 integer column as its boolean. */
export const isSet = (n: number): boolean => n === 1;

/** A JSON value as its text column. */
export const toJson = (value: unknown): string => JSON.stringify(value);

/** A JSON text column as its value. */
export const fromJson = <T>(text: string): T => JSON.parse(text) as T;

/** Nullable JSON columns (an event type's schema, an event's redaction): null is SQL NULL. */
export const toJsonOrNull = (value: unknown): string | null => (value === null ? null : toJson(value));

export const fromJsonOrNull = <T>(text: string | null): T | null => (text === null ? null : fromJson<T>(text));
