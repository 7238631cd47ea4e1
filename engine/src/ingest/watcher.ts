/**
 * Watches OpenCode's storage and asks for a refresh when it changes: the databases and their -wal files (every
 * committed write touches the WAL). Bursts are coalesced; a periodic full scan catches anything the event
 * table does not describe. File events can be lost (chokidar drops a file's events for 5 ms after one it
 * handled; network and container file systems may send none), so the files' size and mtime are also compared
 * every second, and a difference no event announced asks for a refresh too.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from '../log.js';

export interface StorageWatcher {
  /** Resolves once the watches are in place: a change before that is only seen with the next one. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

export interface WatchOptions {
  readonly dataDir: string;
  readonly logger: Logger;
  /** Called after a change, at most once per `coalesceMs`. */
  readonly onChange: (fullScan: boolean) => void;
  readonly coalesceMs?: number;
  /**
   * Interval of the safety-net full scan (by time watermark, ignoring the event tail); 0 disables it. It reads
   * every message and part row's header, seconds on a large database, so it runs every ten minutes by default.
   */
  readonly fullScanMs?: number;
  /** How often the database files' size and mtime are compared with what the last event or look saw; 0 disables. */
  readonly statPollMs?: number;
  /** File system events (chokidar); off, the stat comparison alone notices changes. */
  readonly fileEvents?: boolean;
}

/** What a look at a database file saw: a write changes its size or its mtime (or replaces it). */
async function fileState(file: string): Promise<string> {
  const stat = await fs.stat(file).catch(() => undefined);
  return stat ? `${stat.ino}:${stat.size}:${stat.mtimeMs}` : 'missing';
}

const DB_FILE = /^opencode(-[A-Za-z0-9._-]+)?\.db(-wal)?$/;

export function watchStorage(options: WatchOptions): StorageWatcher {
  const coalesce = options.coalesceMs ?? 15;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const trigger = () => {
    if (timer || closed) return;
    timer = setTimeout(() => {
      timer = undefined;
      options.onChange(false);
    }, coalesce);
  };
  /** Per database file, what the last event or look saw. */
  const seen = new Map<string, string>();
  /**
   * An event counts only when the file's size, mtime or inode moved. Reading a database raises events that change
   * nothing: SQLite running as root `fchown`s the -wal and -shm it opens (an attribute event on every refresh), and
   * asking for a refresh on those made each refresh ask for the next one, forever.
   */
  const onEvent = (file: string) =>
    void fileState(file).then((state) => {
      if (seen.get(file) === state) return;
      seen.set(file, state);
      trigger();
    });
  const watcher: FSWatcher | undefined =
    options.fileEvents === false
      ? undefined
      : watch(options.dataDir, {
          depth: 0,
          ignoreInitial: true,
          // The WAL is rewritten in place; polling would add latency, inotify/FSEvents do not.
          usePolling: false,
          ignored: (file, stats) => file !== options.dataDir && (stats?.isFile() ?? true) && !DB_FILE.test(path.basename(file)),
        });
  watcher?.on('add', onEvent).on('change', onEvent).on('unlink', onEvent);
  watcher?.on('error', (error) => options.logger.warn(`watch: ${(error as Error).message}`));
  let looking = false;
  const look = async (first: boolean) => {
    if (looking) return;
    looking = true;
    try {
      const names = await fs.readdir(options.dataDir).catch(() => [] as string[]);
      const files = new Set(names.filter((name) => DB_FILE.test(name)).map((name) => path.join(options.dataDir, name)));
      for (const file of new Set([...files, ...seen.keys()])) {
        const state = await fileState(file);
        if (seen.get(file) === state) continue;
        seen.set(file, state);
        if (!first) trigger();
      }
    } finally {
      looking = false;
    }
  };
  const ready = Promise.all([watcher ? new Promise<void>((resolve) => watcher.once('ready', () => resolve())) : undefined, look(true)]).then(() => undefined);
  const statPoll = options.statPollMs ?? 1000;
  const poll = statPoll > 0 ? setInterval(() => void look(false), statPoll) : undefined;
  poll?.unref();
  const full = options.fullScanMs ?? 600_000;
  const interval = full > 0 ? setInterval(() => options.onChange(true), full) : undefined;
  interval?.unref();
  return {
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      clearInterval(interval);
      clearInterval(poll);
      await watcher?.close();
    },
  };
}
