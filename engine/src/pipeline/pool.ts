/**
 * The Piscina pool on the main thread. Workers are TypeScript run through tsx (Node 20 cannot load .ts
 * workers by itself). `runAll` keeps a bounded number of tasks in flight so memory stays flat however many
 * ranges a corpus has: results are merged as they arrive.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import type { AuditWorkerData } from './audit.js';
import { Collector } from './collector.js';
import type { SecurityJob, SecurityTablesIpc } from '../security/index.js';
import type { IngestTask, TaskResult } from './tasks.js';

export interface IngestPool {
  readonly threads: number;
  run(task: IngestTask): Promise<TaskResult>;
  /**
   * Computes the security tables on a thread of their own (started on first use, ended when idle): seconds of
   * work at 1M parts that would otherwise hold the main thread, and with it every refresh, on each tool call.
   */
  securityTables(job: SecurityJob): Promise<SecurityTablesIpc>;
  /**
   * One Arrow IPC stream as Parquet bytes (the stream's DuckDB file is written from Parquet), on a thread of its
   * own started on first use and ended when idle: the conversion is synchronous WebAssembly, seconds at 1M parts.
   */
  toParquet(stream: Uint8Array): Promise<Uint8Array>;
  /**
   * Runs every task with at most `inFlight` pending, calling `onResult` in completion order. A promise from
   * `onResult` holds back that lane's next task until it settles: how a slow consumer (the disk a cold index
   * writes to) paces the workers instead of letting their results pile up.
   */
  runAll(tasks: readonly IngestTask[], onResult: (result: TaskResult) => void | Promise<void>, inFlight?: number): Promise<void>;
  close(): Promise<void>;
}

/** Old-generation cap per worker thread; a task's working set (one range of rows) stays well below it. */
export const WORKER_HEAP_MB = 256;
/** The security thread holds every audited call and event at once (≈ 300 MB at 1M parts). */
const SECURITY_HEAP_MB = 2048;
/** The security thread ends after this long without a job, giving its heap back. */
const SECURITY_IDLE_MS = 10_000;

/** The result of a task whose worker failed: nothing read, one `source.unreadable` issue naming the cause. */
export function crashedTaskResult(task: IngestTask, error: unknown): TaskResult {
  const source = 'dbPath' in task ? task.dbPath : task.storageDir;
  const collector = new Collector(task.kind.startsWith('sqlite') ? 'sqlite' : 'json');
  const what = task.kind === 'sqlite-messages' || task.kind === 'sqlite-parts' ? ` rows ${task.fromRowid + 1}..${task.toRowid}` : '';
  collector.noteIssue('source.unreadable', `${source}${what}: the worker failed (${(error as Error)?.message ?? String(error)}); retried on the next change`);
  return collector.result(task.kind, source);
}

/** `runAll`'s lanes over any `run`: at most `inFlight` tasks pending, each lane waiting on its `onResult`. */
export async function runBounded(
  tasks: readonly IngestTask[],
  run: (task: IngestTask) => Promise<TaskResult>,
  onResult: (result: TaskResult) => void | Promise<void>,
  inFlight: number,
): Promise<void> {
  let next = 0;
  let failure: unknown;
  const lane = async () => {
    while (next < tasks.length && failure === undefined) {
      const task = tasks[next++]!;
      let result: TaskResult;
      try {
        result = await run(task);
      } catch (error) {
        // A worker that died (out of memory on a monstrous row, say) loses its range, not the whole index.
        result = crashedTaskResult(task, error);
      }
      try {
        await onResult(result);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, tasks.length) }, lane));
  if (failure !== undefined) throw failure;
}

export interface IngestPoolOptions {
  readonly threads?: number;
  /** The user's security rule file, merged over the built-in rules by every worker (missing is fine). */
  readonly securityRulesFile?: string;
}

/** Set by the engine bundle (scripts/engine-bundle.mjs): its worker file, which runs without tsx. */
declare const __OCM_BUNDLED_WORKER__: string | undefined;
const BUNDLED_WORKER = typeof __OCM_BUNDLED_WORKER__ === 'string' ? __OCM_BUNDLED_WORKER__ : undefined;

export function createIngestPool(options: IngestPoolOptions = {}): IngestPool {
  const threads = Math.max(1, options.threads ?? os.availableParallelism());
  const filename = BUNDLED_WORKER ?? new URL('./worker.ts', import.meta.url).href;
  // From the sources, tsx by absolute URL: a bare `--import tsx` resolves from the current directory, so the
  // engine would only start from inside its own checkout. The bundled worker needs no loader.
  const execArgv = [
    ...(BUNDLED_WORKER ? [] : ['--import', import.meta.resolve('tsx')]),
    ...(process.env['OCM_WORKER_PROF'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['OCM_WORKER_PROF']] : []),
  ];
  const pool = new Piscina({
    filename,
    execArgv,
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 30_000,
    // V8 sizes a thread's old generation from the machine's memory (gigabytes here) and collects lazily, so
    // every worker's heap would swell with garbage from parsed rows. A task needs tens of MB; cap the heap.
    resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB },
    workerData: { securityRulesFile: options.securityRulesFile } satisfies AuditWorkerData,
  });
  const run = (task: IngestTask) => pool.run(task) as Promise<TaskResult>;
  let security: Piscina | undefined;
  let parquet: Piscina | undefined;
  return {
    threads,
    run,
    securityTables(job) {
      security ??= new Piscina({ filename, execArgv, minThreads: 0, maxThreads: 1, idleTimeout: SECURITY_IDLE_MS, resourceLimits: { maxOldGenerationSizeMb: SECURITY_HEAP_MB } });
      return security.run(job, { name: 'securityTables' }) as Promise<SecurityTablesIpc>;
    },
    toParquet(stream) {
      // Transferred, not copied: the caller joined this buffer for this call alone (`joinIpcStreams`).
      parquet ??= new Piscina({ filename, execArgv, minThreads: 0, maxThreads: 1, idleTimeout: SECURITY_IDLE_MS });
      return parquet.run(stream, { name: 'parquetFromIpc', transferList: [stream.buffer as ArrayBuffer] }) as Promise<Uint8Array>;
    },
    runAll: (tasks, onResult, inFlight = threads * 2) => runBounded(tasks, run, onResult, inFlight),
    close: async () => {
      await Promise.all([pool.destroy(), security?.destroy(), parquet?.destroy()]);
    },
  };
}
