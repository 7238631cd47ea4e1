/**
 * The DuckDB file new clients attach (`hello.snapshotFile`): the engine keeps one, of every table at one seq, and
 * a client that can attach it (`/ws?attach=1`) fetches the file, then is sent the seq'd messages since that seq,
 * instead of the whole Arrow snapshot body. A client is offered the file only while the ring still holds every
 * message after its seq; otherwise, and until the first file is written, the Arrow snapshot body serves.
 *
 * Writing costs seconds of CPU at 1M parts (`duckdbFile.ts`), so it waits for the tables to be quiet (no change
 * for `quietMs`, or changes pending for `maxWaitMs` however busy), runs at most once per `minIntervalMs` unless the
 * current file has become useless, and writes one file at a time. A file is deleted once a newer one is kept and
 * no ticket still serves it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fail, ok, type Result, type TableName } from '../../../../shared/src/index.js';
import type { Logger } from '../../log.js';
import { DIR_MODE } from '../../persist/index.js';
import { writeDuckdbFile } from './duckdbFile.js';
import type { EngineSnapshot } from './engineSnapshot.js';
import type { TicketBody } from './snapshotBody.js';

/** The content type of a snapshot file body. */
export const SNAPSHOT_FILE_CONTENT_TYPE = 'application/vnd.duckdb';
/** Bytes read from the file per write to the response. */
const READ_BYTES = 1024 * 1024;

/**
 * A folder of its own for this engine run's files under `parent` (`<parent>/<pid>-<random>`), after removing the
 * folders of runs whose process is gone (an engine killed before it could clean up).
 */
export function snapshotFilesDir(parent: string): string {
  fs.mkdirSync(parent, { recursive: true, mode: DIR_MODE });
  fs.chmodSync(parent, DIR_MODE);
  for (const entry of fs.readdirSync(parent, { withFileTypes: true, encoding: 'utf8' }).filter((e) => e.isDirectory())) {
    const pid = Number(entry.name.split('-')[0]);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && !processAlive(pid)) fs.rmSync(path.join(parent, entry.name), { recursive: true, force: true });
  }
  return path.join(parent, `${process.pid}-${Math.random().toString(36).slice(2, 10)}`);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, someone else's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface SnapshotFile {
  readonly seq: number;
  readonly file: string;
  readonly bytes: number;
  readonly rows: Readonly<Partial<Record<TableName, number>>>;
  /** The snapshot's `tag`: what the tables were when the file was written (`EngineSnapshot.tag`). */
  readonly tag?: string;
}

export interface SnapshotFilesOptions {
  /** This engine run's folder for its files (created; emptied on close). */
  readonly dir: string;
  /** Arrow IPC → Parquet off the main thread (`IngestPool.toParquet`). */
  readonly toParquet: (stream: Uint8Array) => Promise<Uint8Array>;
  readonly logger: Logger;
  /** @default 2 s without a seq'd message */
  readonly quietMs?: number;
  /**
   * @default 60 s between two files, unless the ring no longer reaches the current one; at least ten times the
   * last write, so a busy engine with a large history spends at most a tenth of a core on them
   */
  readonly minIntervalMs?: number;
  /** @default 30 s: tables that keep changing still get a file once a change has waited this long */
  readonly maxWaitMs?: number;
  /**
   * A file known to hold the tables as they are now (kept by the last run, `keptSnapshotFile.ts`): it becomes the
   * current file at the hub's seq at once, moved into `dir`.
   */
  readonly initial?: { readonly file: string; readonly bytes: number; readonly rows: Readonly<Partial<Record<TableName, number>>>; readonly tag?: string };
}

/** What the manager reads from the hub. */
export interface SnapshotFileSource {
  readonly seq: number;
  /** The ring still holds every message after `seq`. */
  replayable(seq: number): boolean;
  takeSnapshot(): Promise<{ readonly seq: number; readonly snapshot: EngineSnapshot }>;
}

export interface SnapshotFiles {
  /** The file a new client can start from, or none yet. */
  offer(): SnapshotFile | undefined;
  /** A ticket body serving `file`; it holds the file on disk until the ticket settles. */
  body(file: SnapshotFile): TicketBody;
  /** A table changed (a seq'd table message was published): a newer file is due once the tables are quiet. */
  changed(): void;
  /** Writes a file now unless the current one is at the ring's seq; the file kept, or why none could be. */
  writeNow(): Promise<Result<SnapshotFile>>;
  /** The newest file written (or adopted), offered or not. */
  readonly current: SnapshotFile | undefined;
  /**
   * Moves the current file to `target` for a later run and forgets it (call before `close`, which removes the rest);
   * false when there is none or it is still served.
   */
  keepAs(target: string): boolean;
  close(): Promise<void>;
}

interface Kept extends SnapshotFile {
  holds: number;
  retired: boolean;
}

export function createSnapshotFiles(source: SnapshotFileSource, options: SnapshotFilesOptions): SnapshotFiles {
  const quietMs = options.quietMs ?? 2_000;
  const minIntervalMs = options.minIntervalMs ?? 60_000;
  const maxWaitMs = options.maxWaitMs ?? 30_000;
  /** When the oldest change not in a file (or being written) arrived; undefined when there is none. */
  let pendingSince: number | undefined;
  let current: Kept | undefined;
  let writing: Promise<Result<SnapshotFile>> | undefined;
  let lastWriteAt = -Infinity;
  let lastWriteMs = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let closed = false;
  let failures = 0;
  /** The last failure logged as a warning: the same one again (a platform without native DuckDB) goes to debug. */
  let lastWarning = '';
  const warn = (message: string) => {
    const line = `serve.snapshot-file: ${message} (new clients load the Arrow snapshot)`;
    if (line === lastWarning) options.logger.debug(line);
    else options.logger.warn(line);
    lastWarning = line;
  };
  // The file holds the user's (redacted) history: private like the rest of the state dir.
  fs.mkdirSync(options.dir, { recursive: true, mode: DIR_MODE });
  fs.chmodSync(options.dir, DIR_MODE);
  if (options.initial) {
    const file = path.join(options.dir, `tables-${source.seq}.duckdb`);
    try {
      fs.renameSync(options.initial.file, file);
      const { bytes, rows, tag } = options.initial;
      current = { seq: source.seq, file, bytes, rows, holds: 0, retired: false, ...(tag !== undefined ? { tag } : {}) };
      lastWriteAt = performance.now();
    } catch (error) {
      options.logger.debug(`snapshot file: the kept file could not be taken over: ${(error as Error).message}`);
    }
  }

  const remove = (kept: Kept) => {
    if (!kept.retired || kept.holds > 0) return;
    fs.rm(kept.file, { force: true }, (error) => error && options.logger.debug(`snapshot file: ${error.message}`));
  };

  const write = (): Promise<Result<SnapshotFile>> => {
    writing ??= (async () => {
      pendingSince = undefined;
      try {
        const { seq, snapshot } = await source.takeSnapshot();
        if (current && current.seq === seq) return ok(current);
        const file = path.join(options.dir, `tables-${seq}.duckdb`);
        const started = performance.now();
        // A shutdown stops the write between slices instead of waiting seconds for it.
        const written = await writeDuckdbFile({ tables: snapshot.tables, file, toParquet: options.toParquet, stopped: () => closed });
        lastWriteAt = performance.now();
        lastWriteMs = lastWriteAt - started;
        if (!written.ok) {
          if (closed) return written;
          failures++;
          warn(written.problem.message);
          return written;
        }
        if (closed) {
          fs.rmSync(file, { force: true });
          return fail({ code: 'serve.snapshot-file', message: 'the engine is closing' });
        }
        failures = 0;
        lastWarning = '';
        options.logger.debug(`snapshot file at seq ${seq}: ${(written.value.bytes / 2 ** 20).toFixed(1)} MiB in ${(lastWriteMs / 1000).toFixed(1)} s`);
        const previous = current;
        current = { seq, file, bytes: written.value.bytes, rows: written.value.rows, holds: 0, retired: false, ...(snapshot.tag !== undefined ? { tag: snapshot.tag } : {}) };
        if (previous) {
          previous.retired = true;
          remove(previous);
        }
        return ok(current);
      } catch (error) {
        failures++;
        warn((error as Error).message);
        return fail({ code: 'serve.snapshot-file', message: (error as Error).message });
      } finally {
        writing = undefined;
        if (!closed && pendingSince !== undefined) schedule();
      }
    })();
    return writing;
  };

  /** Writes when quiet; sooner than `minIntervalMs` only when clients could no longer start from the current file. */
  function schedule(): void {
    if (closed) return;
    clearTimeout(timer);
    // A file that failed is tried again, but not in a loop: the wait doubles with each failure (up to the interval).
    const sinceLast = performance.now() - lastWriteAt;
    const stale = !current || !source.replayable(current.seq);
    const interval = Math.max(minIntervalMs, lastWriteMs * 10);
    const due = failures > 0 ? Math.min(interval, quietMs * 2 ** failures) : stale ? 0 : Math.max(0, interval - sinceLast);
    const waited = pendingSince === undefined ? 0 : performance.now() - pendingSince;
    // Quiet first, but no longer than until the oldest pending change has waited `maxWaitMs`; never before `due`.
    const quiet = Math.min(quietMs, Math.max(0, maxWaitMs - waited));
    timer = setTimeout(() => {
      timer = undefined;
      if (writing) return; // its end schedules again
      void write();
    }, Math.max(quiet, due));
    timer.unref?.();
  }

  return {
    offer() {
      if (current && source.replayable(current.seq)) return current;
      // The ring has moved past the file (or there is none yet): a new one is due even if the tables did not change.
      if (!writing && !timer) {
        pendingSince ??= performance.now();
        schedule();
      }
      return undefined;
    },
    body(file) {
      const kept = current && current.file === file.file ? current : undefined;
      if (kept) kept.holds++;
      let released = false;
      return {
        bytes: file.bytes,
        contentType: SNAPSHOT_FILE_CONTENT_TYPE,
        async write(send) {
          const handle = await fs.promises.open(file.file, 'r');
          try {
            let sent = 0;
            while (sent < file.bytes) {
              const chunk = new Uint8Array(Math.min(READ_BYTES, file.bytes - sent));
              const { bytesRead } = await handle.read(chunk, 0, chunk.length, sent);
              if (bytesRead === 0) throw new Error(`the file ended at ${sent} of ${file.bytes} bytes`);
              if (!(await send(chunk.subarray(0, bytesRead)))) return false;
              sent += bytesRead;
            }
            return true;
          } finally {
            await handle.close();
          }
        },
        release() {
          if (released || !kept) return;
          released = true;
          kept.holds--;
          remove(kept);
        },
      };
    },
    changed() {
      pendingSince ??= performance.now();
      if (!writing) schedule();
    },
    writeNow: () => (current && current.seq === source.seq ? Promise.resolve(ok(current)) : write()),
    get current() {
      return current;
    },
    keepAs(target) {
      if (!current || current.holds > 0) return false;
      try {
        fs.renameSync(current.file, target);
      } catch (error) {
        options.logger.debug(`snapshot file: could not keep it: ${(error as Error).message}`);
        return false;
      }
      current = undefined;
      return true;
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await writing?.catch(() => undefined);
      fs.rmSync(options.dir, { recursive: true, force: true });
    },
  };
}
