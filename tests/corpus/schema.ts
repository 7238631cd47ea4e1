/**
 * The OpenCode 1.18.33 schema as committed in `engine/src/demo/opencode-1.18.33.schema.sql`: reading, rendering and applying
 * it. The file holds every `sqlite_master` object of a freshly migrated real database in rowid order, with the
 * `sql` text verbatim, followed by the rows of `migration` and `data_migration`. Executing the objects in
 * order recreates an identical `sqlite_master` (same names, same order, same sql text).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Database from 'better-sqlite3';

export const OPENCODE_VERSION = '1.18.33';
/**
 * One copy of the captured DDL, shipped with the engine (its demo data is written with it); the corpus, the
 * fixtures and `captureSchema.ts` all use that file.
 */
export const SCHEMA_FILE = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'engine', 'src', 'demo', `opencode-${OPENCODE_VERSION}.schema.sql`);

export interface SchemaObject {
  type: string;
  name: string;
  tblName: string;
  sql: string;
}

export interface MigrationRow {
  id: string;
  time_completed: number;
}

export interface DataMigrationRow {
  name: string;
  time_completed: number;
}

export interface CapturedSchema {
  opencodeVersion: string;
  objects: SchemaObject[];
  migrations: MigrationRow[];
  dataMigrations: DataMigrationRow[];
}

const OBJECT_MARKER = /^-- object: (\S+) (\S+) on (\S+)$/;
const ROWS_MARKER = /^-- rows: (\S+)$/;

/** Reads `sqlite_master` (objects with sql only; autoindexes have none) in creation order. */
export function readSchemaObjects(db: Database.Database): SchemaObject[] {
  const rows = db
    .prepare('SELECT type, name, tbl_name AS tblName, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid')
    .all() as SchemaObject[];
  return rows.map((row) => ({ type: row.type, name: row.name, tblName: row.tblName, sql: row.sql }));
}

/** Reads everything the schema file records from an open OpenCode database. */
export function readCapturedSchema(db: Database.Database, opencodeVersion: string): CapturedSchema {
  return {
    opencodeVersion,
    objects: readSchemaObjects(db),
    migrations: db.prepare('SELECT id, time_completed FROM migration ORDER BY rowid').all() as MigrationRow[],
    dataMigrations: db.prepare('SELECT name, time_completed FROM data_migration ORDER BY rowid').all() as DataMigrationRow[],
  };
}

function sqlString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** Renders the schema file; `header` lines become the leading comment. */
export function renderSchemaSql(schema: CapturedSchema, header: readonly string[]): string {
  const lines: string[] = header.map((line) => (line ? `-- ${line}` : '--'));
  lines.push('');
  for (const object of schema.objects) {
    lines.push(`-- object: ${object.type} ${object.name} on ${object.tblName}`);
    lines.push(`${object.sql};`);
    lines.push('');
  }
  lines.push('-- rows: migration');
  for (const row of schema.migrations) {
    lines.push(`INSERT INTO "migration" ("id", "time_completed") VALUES (${sqlString(row.id)}, ${row.time_completed});`);
  }
  lines.push('');
  lines.push('-- rows: data_migration');
  for (const row of schema.dataMigrations) {
    lines.push(
      `INSERT INTO "data_migration" ("name", "time_completed") VALUES (${sqlString(row.name)}, ${row.time_completed});`,
    );
  }
  lines.push('');
  return lines.join('\n');
}

/** Parses the schema file back into objects and rows. */
export function parseSchemaSql(text: string): CapturedSchema {
  const objects: SchemaObject[] = [];
  const migrations: MigrationRow[] = [];
  const dataMigrations: DataMigrationRow[] = [];
  let current: { object: SchemaObject; lines: string[] } | undefined;
  let rowsOf: string | undefined;
  const flush = (): void => {
    if (!current) return;
    const sql = current.lines.join('\n').trim();
    if (!sql.endsWith(';')) throw new Error(`schema file: object ${current.object.name} does not end with ';'`);
    current.object.sql = sql.slice(0, -1);
    objects.push(current.object);
    current = undefined;
  };
  for (const line of text.split('\n')) {
    const objectMatch = OBJECT_MARKER.exec(line);
    const rowsMatch = ROWS_MARKER.exec(line);
    if (objectMatch) {
      flush();
      rowsOf = undefined;
      current = { object: { type: objectMatch[1] ?? '', name: objectMatch[2] ?? '', tblName: objectMatch[3] ?? '', sql: '' }, lines: [] };
    } else if (rowsMatch) {
      flush();
      rowsOf = rowsMatch[1];
    } else if (current) {
      current.lines.push(line);
    } else if (rowsOf && line.startsWith('INSERT')) {
      const values = /VALUES \('((?:[^']|'')*)', (\d+)\);$/.exec(line);
      if (!values) throw new Error(`schema file: cannot parse row: ${line}`);
      const key = (values[1] ?? '').replaceAll("''", "'");
      const time = Number(values[2]);
      if (rowsOf === 'migration') migrations.push({ id: key, time_completed: time });
      else if (rowsOf === 'data_migration') dataMigrations.push({ name: key, time_completed: time });
    }
  }
  flush();
  const version = /OpenCode (\d+\.\d+\.\d+)/.exec(text)?.[1] ?? OPENCODE_VERSION;
  return { opencodeVersion: version, objects, migrations, dataMigrations };
}

let cached: CapturedSchema | undefined;

/** The committed schema, parsed once. */
export function loadSchema(): CapturedSchema {
  cached ??= parseSchemaSql(readFileSync(SCHEMA_FILE, 'utf8'));
  return cached;
}

/**
 * Splits the objects into the leading run of tables (created before bulk inserts) and the rest (indexes and
 * later tables, created after them: building an index once is cheaper than maintaining it row by row). Running
 * both phases in order still gives the captured `sqlite_master` order.
 */
export function splitSchemaPhases(schema: CapturedSchema): { tables: SchemaObject[]; rest: SchemaObject[] } {
  const firstNonTable = schema.objects.findIndex((object) => object.type !== 'table');
  const cut = firstNonTable < 0 ? schema.objects.length : firstNonTable;
  return { tables: schema.objects.slice(0, cut), rest: schema.objects.slice(cut) };
}

export function execObjects(db: Database.Database, objects: readonly SchemaObject[]): void {
  for (const object of objects) db.exec(object.sql);
}

/** Inserts the `migration` and `data_migration` rows, so OpenCode sees a fully migrated database. */
export function insertMigrationRows(db: Database.Database, schema: CapturedSchema): void {
  const migration = db.prepare('INSERT INTO "migration" ("id", "time_completed") VALUES (?, ?)');
  for (const row of schema.migrations) migration.run(row.id, row.time_completed);
  const dataMigration = db.prepare('INSERT INTO "data_migration" ("name", "time_completed") VALUES (?, ?)');
  for (const row of schema.dataMigrations) dataMigration.run(row.name, row.time_completed);
}

/** Creates the complete schema plus migration rows in an empty database. */
export function applySchema(db: Database.Database, schema: CapturedSchema = loadSchema()): void {
  execObjects(db, schema.objects);
  insertMigrationRows(db, schema);
}
