/**
 * The Piscina pool on the main thread. Workers are TypeScript run through tsx (Node 20 cannot load .ts
 * workers by itself). `runAll` keeps a bounded number of tasks in flight so memory stays flat however many
 * ranges a corpus has: results are merged as they arrive.
 */
import os from 'node:os';
import { Piscina } from 'piscina';
import type { IngestTask, TaskResult } from './tasks.js';

export interface IngestPool {
  readonly threads: number;
  run(task: IngestTask): Promise<TaskResult>;
  /** Runs every task with at most `inFlight` pending, calling `onResult` in completion order. */
  runAll(tasks: readonly IngestTask[], onResult: (result: TaskResult) => void, inFlight?: number): Promise<void>;
  close(): Promise<void>;
}

export function createIngestPool(options: { threads?: number } = {}): IngestPool {
  const threads = Math.max(1, options.threads ?? os.availableParallelism());
  const pool = new Piscina({
    filename: new URL('./worker.ts', import.meta.url).href,
    execArgv: ['--import', 'tsx', ...(process.env['OCM_WORKER_PROF'] ? ['--cpu-prof', '--cpu-prof-dir', process.env['OCM_WORKER_PROF']] : [])],
    minThreads: threads,
    maxThreads: threads,
    idleTimeout: 30_000,
  });
  const run = (task: IngestTask) => pool.run(task) as Promise<TaskResult>;
  return {
    threads,
    run,
    async runAll(tasks, onResult, inFlight = threads * 2) {
      let next = 0;
      let failure: unknown;
      const lane = async () => {
        while (next < tasks.length && failure === undefined) {
          const task = tasks[next++]!;
          try {
            onResult(await run(task));
          } catch (error) {
            failure ??= error;
          }
        }
      };
      await Promise.all(Array.from({ length: Math.min(inFlight, tasks.length) }, lane));
      if (failure !== undefined) throw failure;
    },
    close: () => pool.destroy(),
  };
}
