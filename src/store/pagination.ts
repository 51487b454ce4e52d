/**
 * Keyset pagination on (created, key): stable under inserts, O(page) per request, and served
 * by the `(…scope, created, id)` indexes. One row past the page tells whether another follows.
 */
import { sql, type Expression, type SqlBool, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { CreatedFilter, ListOptions, Page, Cursor } from '../domain/types.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyEb = ExpressionBuilder<any, any>;

export function createdConditions(eb: AnyEb, created: CreatedFilter | undefined, column = 'created'): Expression<SqlBool>[] {
  const out: Expression<SqlBool>[] = [];
  if (!created) return out;
  const ops = { eq: '=', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;
  for (const [name, op] of Object.entries(ops)) {
    const value = created[name as keyof CreatedFilter];
    if (value !== undefined) out.push(eb(sql.ref(column), op, value));
  }
  return out;
}

/** Rows strictly after `after` in the list's direction. */
export function afterCondition(eb: AnyEb, options: ListOptions, keyColumn: string): Expression<SqlBool> | null {
  const after = options.after;
  if (!after) return null;
  const op = options.sort === 'asc' ? '>' : '<';
  return eb.or([
    eb(sql.ref('created'), op, after.created),
    eb.and([eb(sql.ref('created'), '=', after.created), eb(sql.ref(keyColumn), op, after.key)]),
  ]);
}

export function toPage<Row, T>(rows: Row[], options: ListOptions, map: (row: Row) => T, cursorOf: (row: Row) => Cursor): Page<T> {
  const more = rows.length > options.limit;
  const kept = more ? rows.slice(0, options.limit) : rows;
  const last = kept[kept.length - 1];
  return { items: kept.map(map), next: more && last !== undefined ? cursorOf(last) : null };
}

/**
 * Runs a list query one page at a time: `created.*` and `updated.*` filters, the cursor, (created, key) order
 * in the list's direction, and one row past the page to know whether another follows.
 */
export async function fetchPage<Row extends { created: number }, T>(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  query: SelectQueryBuilder<any, any, Row>,
  options: ListOptions,
  keyColumn: 'id' | 'name',
  map: (row: Row) => T,
): Promise<Page<T>> {
  const rows = await query
    .where((eb) => {
      const after = afterCondition(eb, options, keyColumn);
      return eb.and([...createdConditions(eb, options.created), ...createdConditions(eb, options.updated, 'updated'), ...(after ? [after] : [])]);
    })
    .orderBy(sql.ref('created'), options.sort).orderBy(sql.ref(keyColumn), options.sort)
    .limit(options.limit + 1)
    .execute();
  return toPage(rows, options, map, (r) => ({ created: Number(r.created), key: String((r as Record<string, unknown>)[keyColumn]) }));
}
