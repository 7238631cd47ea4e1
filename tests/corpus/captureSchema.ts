/**
 * Re-captures `opencode-1.18.33.schema.sql` from the real OpenCode binary:
 *
 *   npx tsx tests/corpus/captureSchema.ts            # rewrites the committed file
 *   npx tsx tests/corpus/captureSchema.ts --check    # exit 1 when the committed DDL differs from a fresh capture
 *
 * `opencode db path` in an isolated HOME creates the database and runs all its migrations; we then read
 * `sqlite_master`, `migration` and `data_migration` with better-sqlite3 (read-only).
 */
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { createIsolatedHome, findOpencodeBinary, runOpencode } from './opencodeCli.js';
import { loadSchema, readCapturedSchema, renderSchemaSql, SCHEMA_FILE } from './schema.js';
import type { CapturedSchema } from './schema.js';

/** Creates a fresh database with the real binary and reads its schema. */
export async function captureSchema(binary: string): Promise<CapturedSchema> {
  const home = await createIsolatedHome('ocm-schema-');
  try {
    const version = (await runOpencode(binary, ['--version'], home)).stdout.trim();
    const printed = (await runOpencode(binary, ['db', 'path'], home)).stdout.trim();
    const dbPath = join(home.dataDir, 'opencode.db');
    if (printed !== dbPath) throw new Error(`opencode db path printed ${printed}, expected ${dbPath}`);
    const db = new Database(dbPath, { readonly: true, fileMustExist: true });
    try {
      return readCapturedSchema(db, version);
    } finally {
      db.close();
    }
  } finally {
    await rm(home.root, { recursive: true, force: true });
  }
}

export function schemaHeader(schema: CapturedSchema): string[] {
  return [
    `OpenCode ${schema.opencodeVersion} database schema, captured from a real database. Do not edit by hand.`,
    '',
    'How it was captured (tests/corpus/captureSchema.ts, re-run it to refresh this file):',
    '  1. HOME and XDG_{DATA,CONFIG,CACHE,STATE}_HOME pointed into a fresh mkdtemp directory, with',
    '     OPENCODE_DISABLE_AUTOUPDATE=1 OPENCODE_DISABLE_MODELS_FETCH=1 OPENCODE_DISABLE_SHARE=1',
    '     OPENCODE_DISABLE_DEFAULT_PLUGINS=1 (plus LSP download, Claude Code and external skills disabled);',
    '  2. `node_modules/opencode-linux-x64/bin/opencode db path` created opencode.db and ran its migrations;',
    '  3. `SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid`',
    '     (autoindexes have no sql and are recreated by their tables; there are no triggers or views);',
    '  4. `SELECT * FROM migration` and `SELECT * FROM data_migration`, in rowid order.',
    '',
    `Objects: ${schema.objects.length}. Migrations: ${schema.migrations.length}. Data migrations: ${schema.dataMigrations.length}.`,
    'Each object is preceded by a `-- object: <type> <name> on <table>` line; its sql is verbatim (whitespace',
    'included), so executing the objects in order recreates an identical sqlite_master. Rows follow the',
    '`-- rows: <table>` lines. OpenCode opens the file with journal_mode=WAL (a persistent setting).',
  ];
}

async function main(argv: readonly string[]): Promise<number> {
  const binary = findOpencodeBinary();
  if (!binary) {
    process.stderr.write('captureSchema: the opencode-linux-x64 package is not installed (npm install)\n');
    return 2;
  }
  const captured = await captureSchema(binary);
  if (argv.includes('--check')) {
    const committed = loadSchema();
    const same = JSON.stringify(committed.objects) === JSON.stringify(captured.objects)
      && JSON.stringify(committed.migrations.map((m) => m.id)) === JSON.stringify(captured.migrations.map((m) => m.id));
    process.stdout.write(same ? 'schema: committed file matches OpenCode\n' : 'schema: committed file DIFFERS from OpenCode\n');
    return same ? 0 : 1;
  }
  await writeFile(SCHEMA_FILE, renderSchemaSql(captured, schemaHeader(captured)));
  process.stdout.write(`schema: wrote ${SCHEMA_FILE} (${captured.objects.length} objects, ${captured.migrations.length} migrations)\n`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(`captureSchema: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
