/**
 * Follows one `opencode.db` and re-infers live state when it changes. Change detection is `PRAGMA
 * data_version` on a kept-open read-only handle: SQLite bumps it whenever another connection (any process)
 * commits, WAL included, and reading it costs one look at the shared-memory index, no file scan. A stat of
 * the main file per tick notices the database vanishing or being replaced. State that changes without a write
 * (a turn going stale, a process exiting) is caught by re-inferring every `refreshMs` anyway. Each tick does
 * at most one bounded inference (see sessionRows.ts), and `onChange` fires only when the result differs.
 */
import { statSync } from 'node:fs';
import type Database from 'better-sqlite3';
import type { Problem } from '../../../../shared/src/index.js';
import { inferLiveFromDb } from './inferLive.js';
import { diffInferred, EMPTY_INFERRED, isEmptyDiff } from './inferredDiff.js';
import { DEFAULT_SINCE_WINDOW_MS } from './inferredTypes.js';
import type { InferOptions, InferredDiff, InferredLive } from './inferredTypes.js';
import { openReadOnlyDb, problemFromDbError } from './readOnlyDb.js';

export interface FollowDatabaseOptions extends Omit<InferOptions, 'nowMs' | 'sinceMs'> {
  /** Called with the whole new inference and what changed, only when something changed. */
  readonly onChange: (inferred: InferredLive, diff: InferredDiff) => void;
  /** Called when a read fails (locked, vanished, unreadable), once per distinct problem until a read succeeds. */
  readonly onProblem?: (problem: Problem) => void;
  /** How often the database is checked for a change. Clamped to 50–5000 ms. @default 250 */
  readonly intervalMs?: number;
  /** Re-infer at least this often even without a write, for staleness and process exits. @default 2000 */
  readonly refreshMs?: number;
  /** Sessions updated within this window are followed. @default 24 h */
  readonly sinceWindowMs?: number;
  /** The clock; tests pass their own. @default Date.now */
  readonly now?: () => number;
}

export interface DatabaseFollower {
  /** The latest inference (empty before the first successful read). */
  current(): InferredLive;
  /** Checks now instead of waiting for the next tick; `force` re-infers even if nothing was written. */
  poll(force?: boolean): void;
  /** Stops the timer and closes the handle; idempotent. */
  stop(): void;
}

interface FileIdentity {
  readonly dev: number;
  readonly ino: number;
}

export function followDatabase(dbPath: string, options: FollowDatabaseOptions): DatabaseFollower {
  const intervalMs = Math.min(5000, Math.max(50, options.intervalMs ?? 250));
  const refreshMs = options.refreshMs ?? 2000;
  const now = options.now ?? Date.now;
  let db: Database.Database | undefined;
  let opened: FileIdentity | undefined;
  let dataVersion: number | undefined;
  let lastInferMs = -Infinity;
  let state: InferredLive = EMPTY_INFERRED;
  let lastProblem: string | undefined;
  let stopped = false;

  const close = (): void => {
    db?.close();
    db = undefined;
    opened = undefined;
    dataVersion = undefined;
  };
  const report = (problem: Problem): void => {
    const key = `${problem.code}:${problem.message}`;
    if (key === lastProblem) return;
    lastProblem = key;
    options.onProblem?.(problem);
  };
  const publish = (next: InferredLive): void => {
    const diff = diffInferred(state, next);
    state = next;
    if (!isEmptyDiff(diff)) options.onChange(next, diff);
  };

  /** Returns an open handle on the file currently at dbPath, or undefined after reporting why not. */
  const handle = (): Database.Database | undefined => {
    const stat = statSync(dbPath, { throwIfNoEntry: false });
    if (stat === undefined) {
      close();
      report({ code: 'source.vanished', source: dbPath, message: 'the database does not exist (yet); waiting for it' });
      publish(EMPTY_INFERRED);
      return undefined;
    }
    // A replaced file (deleted and recreated) keeps the old inode open; reopen to see the new one.
    if (db !== undefined && opened !== undefined && (opened.dev !== stat.dev || opened.ino !== stat.ino)) close();
    if (db === undefined) {
      const result = openReadOnlyDb(dbPath);
      if (!result.ok) {
        report(result.problem);
        return undefined;
      }
      db = result.value;
      opened = { dev: stat.dev, ino: stat.ino };
    }
    return db;
  };

  const poll = (force = false): void => {
    if (stopped) return;
    const open = handle();
    if (open === undefined) return;
    const nowMs = now();
    let version: number;
    try {
      version = open.pragma('data_version', { simple: true }) as number;
    } catch (error) {
      const problem = problemFromDbError(error, dbPath);
      if (problem === undefined) throw error;
      report(problem);
      return;
    }
    if (!force && version === dataVersion && nowMs - lastInferMs < refreshMs) return;
    const result = inferLiveFromDb(open, { ...options, nowMs, sinceMs: nowMs - (options.sinceWindowMs ?? DEFAULT_SINCE_WINDOW_MS) });
    if (!result.ok) {
      report(result.problem);
      return;
    }
    dataVersion = version;
    lastInferMs = nowMs;
    lastProblem = undefined;
    publish(result.value);
  };

  let timer: NodeJS.Timeout | undefined;
  const tick = (): void => {
    poll();
    if (!stopped) timer = setTimeout(tick, intervalMs);
  };
  // The first check runs on the next turn of the event loop, so onChange never fires before the caller holds
  // the follower.
  timer = setTimeout(tick, 0);

  return {
    current: () => state,
    poll,
    stop: () => {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
      close();
    },
  };
}
