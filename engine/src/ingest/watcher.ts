/**
 * Watches OpenCode's storage and asks for a refresh when it changes: the databases and their -wal files (every
 * committed write touches the WAL). Bursts are coalesced; a periodic full scan catches anything the event
 * table does not describe.
 */
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
}

const DB_FILE = /^opencode(-[A-Za-z0-9._-]+)?\.db(-wal)?$/;

export function watchStorage(options: WatchOptions): StorageWatcher {
  const coalesce = options.coalesceMs ?? 15;
  let timer: NodeJS.Timeout | undefined;
  const trigger = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = undefined;
      options.onChange(false);
    }, coalesce);
  };
  const watcher: FSWatcher = watch(options.dataDir, {
    depth: 0,
    ignoreInitial: true,
    // The WAL is rewritten in place; polling would add latency, inotify/FSEvents do not.
    usePolling: false,
    ignored: (file, stats) => file !== options.dataDir && (stats?.isFile() ?? true) && !DB_FILE.test(path.basename(file)),
  });
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  watcher.on('add', trigger).on('change', trigger).on('unlink', trigger);
  watcher.on('error', (error) => options.logger.warn(`watch: ${(error as Error).message}`));
  const full = options.fullScanMs ?? 600_000;
  const interval = full > 0 ? setInterval(() => options.onChange(true), full) : undefined;
  interval?.unref();
  return {
    ready,
    async close() {
      clearTimeout(timer);
      clearInterval(interval);
      await watcher.close();
    },
  };
}
