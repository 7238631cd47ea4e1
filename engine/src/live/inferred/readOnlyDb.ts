/**
 * Opening OpenCode's database the only way the monitor may: read-only, never creating it, never writing or
 * checkpointing, and with a short busy timeout, because better-sqlite3 blocks the engine's event loop while it
 * waits. A lock or a vanished file is an expected problem and comes back as data.
 */
import Database from 'better-sqlite3';
import { fail, ok } from '../../../../shared/src/index.js';
import type { Problem, Result } from '../../../../shared/src/index.js';

/** Long enough to ride out a WAL checkpoint, short enough not to stall the engine; the next tick retries. */
export const INFER_BUSY_TIMEOUT_MS = 100;

export function openReadOnlyDb(dbPath: string, busyTimeoutMs = INFER_BUSY_TIMEOUT_MS): Result<Database.Database> {
  try {
    return ok(new Database(dbPath, { readonly: true, fileMustExist: true, timeout: busyTimeoutMs }));
  } catch (error) {
    const problem = problemFromDbError(error, dbPath);
    if (problem === undefined) throw error;
    return fail(problem);
  }
}

/**
 * Maps what SQLite and the file system report to the shared problem codes. Anything else (a closed handle, a
 * TypeError) is a bug and stays an exception: undefined tells the caller to rethrow.
 */
export function problemFromDbError(error: unknown, source: string): Problem | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string') return undefined;
  const detail = { errno: code };
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY_') || code === 'SQLITE_LOCKED' || code.startsWith('SQLITE_LOCKED_')) {
    return { code: 'source.busy', source, message: `${error.message}; retried on the next tick`, detail };
  }
  if (code === 'ENOENT' || code === 'SQLITE_CANTOPEN' || code === 'SQLITE_IOERR_DELETE' || code === 'SQLITE_READONLY_DBMOVED') {
    return { code: 'source.vanished', source, message: `${error.message}; waiting for the database to reappear`, detail };
  }
  if (code.startsWith('SQLITE_') || code.startsWith('E')) {
    return { code: 'source.unreadable', source, message: `${error.message}; retried on the next change`, detail };
  }
  return undefined;
}
