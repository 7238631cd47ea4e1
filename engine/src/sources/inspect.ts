/**
 * Reads a source's headline counts without changing it: SQLite is opened read-only with a real engine that
 * honours the -wal file (recent OpenCode data lives there), and the JSON tree is only listed.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { fail, ok, type Problem, type Result } from '../../../shared/src/index.js';
import type { SourceLocation } from './discover.js';

export interface SourceSummary {
  readonly kind: SourceLocation['kind'];
  readonly path: string;
  readonly bytes: number;
  readonly sessions: number;
  readonly messages: number;
  readonly parts: number;
  readonly modifiedAt: number | null;
  readonly problem: Problem | null;
}

const COUNTED_TABLES = { sessions: 'session', messages: 'message', parts: 'part' } as const;

async function sizeAndTime(files: string[]): Promise<{ bytes: number; modifiedAt: number | null }> {
  let bytes = 0;
  let modifiedAt: number | null = null;
  for (const file of files) {
    const stat = await fs.stat(file).catch(() => null);
    if (!stat) continue;
    bytes += stat.size;
    modifiedAt = Math.max(modifiedAt ?? 0, stat.mtimeMs);
  }
  return { bytes, modifiedAt: modifiedAt === null ? null : Math.round(modifiedAt) };
}

/** Maps a SQLite or filesystem error to the shared problem codes. */
export function problemFromError(error: unknown, source: string): Problem {
  const code = (error as { code?: unknown }).code;
  const message = error instanceof Error ? error.message : String(error);
  if (code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED') return { code: 'source.busy', source, message };
  if (code === 'ENOENT' || code === 'SQLITE_CANTOPEN') return { code: 'source.vanished', source, message };
  return { code: 'source.unreadable', source, message, ...(typeof code === 'string' ? { detail: { errno: code } } : {}) };
}

export function countSqlite(file: string): Result<{ sessions: number; messages: number; parts: number }> {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 });
    const tables = new Set(
      (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name),
    );
    const counts = { sessions: 0, messages: 0, parts: 0 };
    for (const [key, table] of Object.entries(COUNTED_TABLES) as [keyof typeof counts, string][]) {
      if (tables.has(table)) counts[key] = (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;
    }
    return ok(counts);
  } catch (error) {
    return fail(problemFromError(error, file));
  } finally {
    db?.close();
  }
}

/** Counts `<kind>/<group>/<id>.json` files, the legacy layout, without reading them. */
async function countJsonFiles(storage: string, kind: string): Promise<number> {
  const root = path.join(storage, kind);
  const groups = await fs.readdir(root, { withFileTypes: true }).catch(() => []);
  let count = 0;
  for (const group of groups) {
    if (!group.isDirectory()) continue;
    const files = await fs.readdir(path.join(root, group.name)).catch(() => [] as string[]);
    count += files.filter((f) => f.endsWith('.json')).length;
  }
  return count;
}

export async function inspectSource(source: SourceLocation): Promise<SourceSummary> {
  if (source.kind === 'json') {
    const [sessions, messages, parts, meta] = await Promise.all([
      countJsonFiles(source.path, 'session'),
      countJsonFiles(source.path, 'message'),
      countJsonFiles(source.path, 'part'),
      sizeAndTime([source.path]),
    ]);
    return { kind: 'json', path: source.path, sessions, messages, parts, ...meta, problem: null };
  }
  const meta = await sizeAndTime([source.path, `${source.path}-wal`]);
  const counts = countSqlite(source.path);
  if (!counts.ok) return { kind: 'sqlite', path: source.path, sessions: 0, messages: 0, parts: 0, ...meta, problem: counts.problem };
  return { kind: 'sqlite', path: source.path, ...counts.value, ...meta, problem: null };
}
