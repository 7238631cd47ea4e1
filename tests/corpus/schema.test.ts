import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { schemaHeader } from './captureSchema.js';
import { applySchema, loadSchema, parseSchemaSql, readSchemaObjects, renderSchemaSql, SCHEMA_FILE } from './schema.js';

describe('committed OpenCode schema', () => {
  const schema = loadSchema();

  it('holds the 1.18.33 tables, indexes and 38 migrations', () => {
    expect(schema.opencodeVersion).toBe('1.18.33');
    const tables = schema.objects.filter((o) => o.type === 'table').map((o) => o.name);
    expect(tables).toEqual(expect.arrayContaining(['project', 'session', 'message', 'part', 'todo', 'event', 'event_sequence', 'migration']));
    expect(schema.objects.some((o) => o.name === 'part_session_idx')).toBe(true);
    expect(schema.migrations).toHaveLength(38);
    expect(schema.migrations[0]?.id).toBe('20260127222353_familiar_lady_ursula');
    expect(schema.migrations.at(-1)?.id).toBe('20260622202450_simplify_session_input');
  });

  it('round-trips through render and parse byte for byte', () => {
    const text = readFileSync(SCHEMA_FILE, 'utf8');
    expect(renderSchemaSql(parseSchemaSql(text), schemaHeader(schema))).toBe(text);
  });

  it('recreates an identical sqlite_master when applied', () => {
    const db = new Database(':memory:');
    applySchema(db);
    expect(readSchemaObjects(db)).toEqual(schema.objects);
    expect(db.prepare('SELECT count(*) AS n FROM migration').get()).toEqual({ n: 38 });
    db.close();
  });
});
