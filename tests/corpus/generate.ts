/**
 * The corpus generator: `generateCorpus(options)` writes an OpenCode data directory (opencode.db with the exact
 * 1.18.33 schema, optionally the legacy JSON tree) and returns its manifest.
 *
 * Speed: one better-sqlite3 connection, prepared statements, transactions of ~25k parts, journal_mode=WAL with
 * synchronous=OFF while writing (NORMAL afterwards, OpenCode's setting), and indexes created after the bulk
 * inserts (in the captured order, so sqlite_master still matches OpenCode's). Families are generated and
 * written one at a time; only fork sources are held in memory, and only until their forks are made.
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { DAY_MS, DEFAULT_DAYS, DEFAULT_END_TIME } from './catalog.js';
import { writeCorruptFiles } from './corrupt.js';
import type { CorruptFile } from './corrupt.js';
import { DbWriter } from './dbWriter.js';
import { runFamily } from './family.js';
import { createIdFactory } from './ids.js';
import { LegacyWriter, overlapSink } from './legacy.js';
import type { OverlapCounts } from './legacy.js';
import { addMerged, MANIFEST_VERSION, mergedOf, roundCost, tokensMinus } from './manifest.js';
import type { CorpusManifest } from './manifest.js';
import { createRng, deriveSeed } from './random.js';
import { teeSink } from './records.js';
import type { ProjectRow, Sink } from './records.js';
import { buildSchedule, HOME } from './schedule.js';
import { execObjects, insertMigrationRows, loadSchema, OPENCODE_VERSION, splitSchemaPhases } from './schema.js';
import type { World } from './session.js';
import { CorpusStats, roundTotals } from './stats.js';

export const DEFAULT_SEED = 20261101;
export const DEFAULT_SESSIONS = 100;
/**
 * Average parts per family (root session with its children and forks), measured over 2,000 families with the
 * default seed; `--parts P` asks for round(P / PARTS_PER_FAMILY) families. See README.md for the measurement.
 */
export const PARTS_PER_FAMILY = 100;
const PARTS_PER_TRANSACTION = 25_000;

export interface CorpusOptions {
  /** Output directory: becomes an OpenCode data dir (`$XDG_DATA_HOME/opencode`). */
  out: string;
  /** Root sessions (families) to generate. @default 100 (or derived from `parts`) */
  sessions?: number;
  /** Approximate number of parts wanted; sets `sessions` to round(parts / PARTS_PER_FAMILY). */
  parts?: number;
  /** @default 20261101 */
  seed?: number;
  /** JSON-only legacy root sessions; also writes the first exchange of the oldest ceil(M/2) families as JSON. @default 0 */
  legacySessions?: number;
  /** Deliberately corrupt legacy JSON files. @default 0 */
  corrupt?: number;
  /** Fill the `event` and `event_sequence` tables. @default false */
  events?: boolean;
  /** Replace our own outputs in a non-empty `out`. @default false */
  force?: boolean;
  /** Newest timestamp in the corpus (ms). @default 2026-11-01T00:00:00Z */
  endTime?: number;
  /** Length of the time window in days. @default 90 */
  days?: number;
  onProgress?: (progress: CorpusProgress) => void;
}

export interface CorpusProgress {
  phase: 'database' | 'indexes' | 'legacy' | 'done';
  families: number;
  totalFamilies: number;
  parts: number;
  elapsedMs: number;
}

export class CorpusError extends Error {
  constructor(readonly code: 'bad-option' | 'out-not-empty', message: string) {
    super(message);
    this.name = 'CorpusError';
  }
}

const OUTPUTS = ['opencode.db', 'opencode.db-wal', 'opencode.db-shm', 'storage', 'manifest.json'];

function prepareOut(out: string, force: boolean): void {
  mkdirSync(out, { recursive: true });
  const entries = readdirSync(out);
  if (entries.length === 0) return;
  if (!force) throw new CorpusError('out-not-empty', `${out} is not empty; pass --force to replace the corpus in it`);
  for (const name of OUTPUTS) rmSync(join(out, name), { recursive: true, force: true });
}

function checkCount(name: string, value: number | undefined, min: number): void {
  if (value === undefined) return;
  if (!Number.isInteger(value) || value < min) throw new CorpusError('bad-option', `${name} must be an integer >= ${min}, got ${value}`);
}

export async function generateCorpus(options: CorpusOptions): Promise<CorpusManifest> {
  const began = performance.now();
  checkCount('sessions', options.sessions, 1);
  checkCount('parts', options.parts, 1);
  checkCount('legacySessions', options.legacySessions, 0);
  checkCount('corrupt', options.corrupt, 0);
  checkCount('days', options.days, 1);
  checkCount('seed', options.seed, 0);
  const seed = (options.seed ?? DEFAULT_SEED) >>> 0;
  const sessions = options.sessions ?? (options.parts ? Math.max(1, Math.round(options.parts / PARTS_PER_FAMILY)) : DEFAULT_SESSIONS);
  const endTime = options.endTime ?? DEFAULT_END_TIME;
  const days = options.days ?? DEFAULT_DAYS;
  const windowStart = endTime - days * DAY_MS;
  const legacySessions = options.legacySessions ?? 0;
  const corrupt = options.corrupt ?? 0;
  const events = options.events ?? false;
  prepareOut(options.out, options.force ?? false);
  const progress = (phase: CorpusProgress['phase'], families: number, parts: number): void =>
    options.onProgress?.({ phase, families, totalFamilies: sessions, parts, elapsedMs: Math.round(performance.now() - began) });

  const schedule = buildSchedule(seed, sessions, endTime, days);
  const projectRows = new Map<string, ProjectRow>(schedule.projects.map((p) => [p.id, p.row]));
  const dbPath = join(options.out, 'opencode.db');
  const db = new Database(dbPath);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('cache_size = -65536');
  db.pragma('temp_store = MEMORY');
  const schema = loadSchema();
  const phases = splitSchemaPhases(schema);
  execObjects(db, phases.tables);

  const stats = new CorpusStats();
  const writer = new DbWriter(db, events ? createIdFactory(createRng(deriveSeed(seed, 0xe7e))) : null);
  const legacy = legacySessions > 0 || corrupt > 0 ? new LegacyWriter(join(options.out, 'storage'), projectRows, 0.33) : null;
  const overlapFamilies = legacySessions > 0 ? Math.min(sessions, Math.ceil(legacySessions / 2)) : 0;
  let overlapCounts: OverlapCounts = { sessions: 0, messages: 0, parts: 0 };
  const baseSink = teeSink([writer, stats]);
  const world: World = { ids: createIdFactory(createRng(deriveSeed(seed, 0x1d5))), sink: baseSink, endTime, windowStart, home: HOME, usedTimes: new Set() };

  db.exec('BEGIN');
  for (const project of schedule.projects) writer.project(project.row, project.directories);
  let lastCommit = 0;
  let lastReport = performance.now();
  for (const slot of schedule.families) {
    if (legacy && slot.index < overlapFamilies) {
      const overlap = overlapSink(legacy, (row) => row.kind === 'root');
      world.sink = teeSink([baseSink, overlap]);
      runFamily(world, slot, seed);
      overlapCounts = { sessions: overlapCounts.sessions + overlap.counts.sessions, messages: overlapCounts.messages + overlap.counts.messages, parts: overlapCounts.parts + overlap.counts.parts };
      world.sink = baseSink;
    } else {
      runFamily(world, slot, seed);
    }
    stats.trim();
    if (stats.raw.parts - lastCommit >= PARTS_PER_TRANSACTION) {
      db.exec('COMMIT');
      db.exec('BEGIN');
      lastCommit = stats.raw.parts;
      if (performance.now() - lastReport > 1000) {
        lastReport = performance.now();
        progress('database', slot.index + 1, stats.raw.parts);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
  db.exec('COMMIT');
  progress('indexes', sessions, stats.raw.parts);
  execObjects(db, phases.rest);
  insertMigrationRows(db, schema);
  const tables: Record<string, number> = {};
  for (const object of schema.objects) {
    if (object.type !== 'table') continue;
    const row = db.prepare(`SELECT count(*) AS n FROM "${object.name}"`).get() as { n: number };
    tables[object.name] = row.n;
  }
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  if (tables['part'] !== stats.raw.parts || tables['message'] !== stats.raw.messages || tables['session'] !== stats.sessions.total) {
    throw new Error(`corpus: row counts disagree with the generator's own counts (part ${tables['part']} vs ${stats.raw.parts})`);
  }

  let legacySection: CorpusManifest['legacy'] = null;
  const jsonStats = new CorpusStats();
  if (legacy) {
    progress('legacy', sessions, stats.raw.parts);
    if (legacySessions > 0) {
      const legacyEnd = windowStart - 7 * DAY_MS;
      const legacySchedule = buildSchedule(deriveSeed(seed, 0x1e9), legacySessions, legacyEnd, 60, schedule.projects);
      // Project files not written yet (no overlap session used them) get the older, pre-database times.
      for (const project of legacySchedule.projects) projectRows.set(project.id, project.row);
      const legacyWorld: World = { ...world, sink: teeSink([legacy, jsonStats]), endTime: legacyEnd, windowStart: legacyEnd - 60 * DAY_MS };
      for (const slot of legacySchedule.families) runFamily(legacyWorld, { ...slot, forceLive: false }, deriveSeed(seed, 0x1e9));
    }
    const corruptFiles: CorruptFile[] = corrupt > 0 ? writeCorruptFiles(options.out, seed, corrupt, windowStart - 3 * DAY_MS, legacy.samples) : [];
    legacySection = { files: legacy.files, jsonOnly: mergedOf(jsonStats.sessions.total, jsonStats.unique), overlap: overlapCounts, corrupt: corruptFiles };
  }

  const raw = roundTotals(stats.raw);
  const unique = roundTotals(stats.unique);
  const dbMerged = mergedOf(stats.sessions.total, stats.unique);
  const manifest: CorpusManifest = {
    manifestVersion: MANIFEST_VERSION,
    generator: 'opencode-monitor tests/corpus',
    opencodeVersion: OPENCODE_VERSION,
    options: { seed, sessions, partsTarget: options.parts ?? null, legacySessions, corrupt, events, endTime: new Date(endTime).toISOString(), days },
    layout: { dataDir: '.', db: 'opencode.db', storage: legacy ? 'storage' : null, manifest: 'manifest.json' },
    window: { start: new Date(windowStart).toISOString(), end: new Date(endTime).toISOString(), startMs: windowStart, endMs: endTime },
    tables,
    sessions: stats.sessions,
    projects: tables['project'] ?? 0,
    todos: stats.todoRows,
    messageErrors: stats.errors,
    raw,
    unique,
    forks: {
      sessions: stats.sessions.fork,
      copiedMessages: raw.messages - unique.messages,
      copiedParts: raw.parts - unique.parts,
      copiedToolCalls: raw.toolCalls - unique.toolCalls,
      copiedTokens: tokensMinus(raw.tokens, unique.tokens),
      copiedCost: roundCost(stats.raw.cost - stats.unique.cost),
    },
    legacy: legacySection,
    merged: legacySection ? addMerged(dbMerged, legacySection.jsonOnly) : dbMerged,
    elapsedMs: 0,
  };
  manifest.elapsedMs = Math.round(performance.now() - began);
  writeFileSync(join(options.out, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  progress('done', sessions, stats.raw.parts);
  return manifest;
}

/** True when `dir` holds a corpus written by this generator. */
export function isCorpusDir(dir: string): boolean {
  return existsSync(join(dir, 'manifest.json')) && existsSync(join(dir, 'opencode.db'));
}

export type { Sink };
