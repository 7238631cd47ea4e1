/**
 * `inferLiveFromDb`: the live state of recently updated sessions, read from OpenCode's database alone. All
 * reads run in one read transaction so messages, parts and todos come from the same snapshot even while
 * OpenCode writes.
 */
import type Database from 'better-sqlite3';
import { fail, ok } from '../../../../shared/src/index.js';
import type { Result } from '../../../../shared/src/index.js';
import { inferSession } from './inferSession.js';
import {
  DEFAULT_MAX_INFERRED_SESSIONS,
  DEFAULT_SINCE_WINDOW_MS,
  DEFAULT_STALE_AFTER_MS,
  DEFAULT_START_GRACE_MS,
} from './inferredTypes.js';
import type { InferOptions, InferredLive, InferredSession } from './inferredTypes.js';
import { problemFromDbError } from './readOnlyDb.js';
import { createRowReader } from './sessionRows.js';
import type { RowReader } from './sessionRows.js';

/** Prepared statements are cached per handle, so a follower calling this every tick does not re-prepare. */
const readers = new WeakMap<Database.Database, RowReader>();

/**
 * Pure given the handle's contents: the same rows and options give the same result. The handle should be
 * opened read-only (`openReadOnlyDb`); this function never writes. SQLITE_BUSY, a vanished file and an
 * unreadable schema come back as a `Problem`.
 */
export function inferLiveFromDb(db: Database.Database, options: InferOptions): Result<InferredLive> {
  const judge = {
    nowMs: options.nowMs,
    staleAfterMs: options.staleAfterMs ?? DEFAULT_STALE_AFTER_MS,
    startGraceMs: options.startGraceMs ?? DEFAULT_START_GRACE_MS,
  };
  const sinceMs = options.sinceMs ?? options.nowMs - DEFAULT_SINCE_WINDOW_MS;
  const limit = options.maxSessions ?? DEFAULT_MAX_INFERRED_SESSIONS;
  const alive = options.processAlive ?? (() => true);
  try {
    const reader = readerFor(db);
    const rows = db.transaction(() => reader.recentSessions(sinceMs, limit).map((s) => reader.sessionRows(s)))();
    const sessions: Record<string, InferredSession> = {};
    const aliveByDirectory = new Map<string, boolean>();
    for (const r of rows) {
      const directory = r.session.directory;
      if (!aliveByDirectory.has(directory)) aliveByDirectory.set(directory, alive(directory));
      sessions[r.session.id] = inferSession(r, { ...judge, alive: aliveByDirectory.get(directory) ?? true });
    }
    return ok({ sessions });
  } catch (error) {
    const problem = problemFromDbError(error, db.name);
    if (problem === undefined) throw error;
    return fail(problem);
  }
}

function readerFor(db: Database.Database): RowReader {
  let reader = readers.get(db);
  if (reader === undefined) {
    reader = createRowReader(db);
    readers.set(db, reader);
  }
  return reader;
}
