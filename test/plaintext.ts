/**
 * Reads every column of every table of a test store, as the database's own catalog lists them
 * (sqlite_master and table_info, information_schema.columns), and reports where any of the
 * given strings stands in plain text. The catalog, not a list of ours: a column added later is
 * searched without anyone remembering to add it.
 */
import Database from 'better-sqlite3';
import pg from 'pg';
import type { TestDatabase } from './helpers.js';

export interface Column {
  table: string;
  column: string;
  /** As the catalog declares it (`TEXT`, `text`, `bigint`, …). */
  type: string;
}

export interface Hit {
  table: string;
  column: string;
  needle: string;
}

/** Values of one column, as text (NULLs left out). */
type ReadColumn = (c: Column) => Promise<string[]>;

/** Every column searched, and each needle found in one of them. */
export async function findPlaintext(database: TestDatabase, needles: readonly string[]): Promise<{ columns: Column[]; hits: Hit[] }> {
  return database.kind === 'sqlite' ? scanSqlite(database.file, needles) : scanPostgres(database.url, database.schema, needles);
}

async function search(columns: Column[], read: ReadColumn, needles: readonly string[]): Promise<Hit[]> {
  const hits: Hit[] = [];
  for (const c of columns) {
    const values = await read(c);
    for (const needle of needles) {
      if (values.some((v) => v.includes(needle))) hits.push({ table: c.table, column: c.column, needle });
    }
  }
  return hits;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;

async function scanSqlite(file: string, needles: readonly string[]): Promise<{ columns: Column[]; hits: Hit[] }> {
  // Not readonly: a hookd that stopped cleanly left no WAL, but one that did not must have its WAL read too.
  const db = new Database(file);
  try {
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[];
    const columns = tables.flatMap(({ name }) => (db.prepare(`SELECT name, type FROM pragma_table_info(?)`).all(name) as { name: string; type: string }[])
      .map((c) => ({ table: name, column: c.name, type: c.type })));
    // SQLite stores any value in any column: every column is read, as text, whatever it declares.
    const read: ReadColumn = async (c) => (db.prepare(`SELECT CAST(${quote(c.column)} AS TEXT) AS v FROM ${quote(c.table)} WHERE ${quote(c.column)} IS NOT NULL`)
      .all() as { v: string }[]).map((r) => r.v);
    return { columns, hits: await search(columns, read, needles) };
  } finally {
    db.close();
  }
}

async function scanPostgres(url: string, schema: string, needles: readonly string[]): Promise<{ columns: Column[]; hits: Hit[] }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table: string; column: string; type: string }>(
      `SELECT c.table_name AS "table", c.column_name AS "column", c.data_type AS "type"
         FROM information_schema.columns c JOIN information_schema.tables t USING (table_schema, table_name)
        WHERE c.table_schema = $1 AND t.table_type = 'BASE TABLE' ORDER BY 1, 2`,
      [schema],
    );
    const read: ReadColumn = async (c) => (await client.query<{ v: string }>(
      `SELECT ${quote(c.column)}::text AS v FROM ${quote(schema)}.${quote(c.table)} WHERE ${quote(c.column)} IS NOT NULL`,
    )).rows.map((r) => r.v);
    return { columns: rows, hits: await search(rows, read, needles) };
  } finally {
    await client.end();
  }
}
