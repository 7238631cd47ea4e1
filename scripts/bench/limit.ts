/**
 * (a) The physical limit: every `message` and `part` row's `data` read and JSON.parsed, on all cores, one
 * worker thread per core, each over its own rowid ranges. Timed from `go` (workers started, database open)
 * until the last worker is done, so it is the floor the engine's cold index is compared with.
 */
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { LimitRange, LimitWorkerData, LimitWorkerResult } from './limitWorker.js';

export interface LimitResult {
  readonly workers: number;
  readonly rows: number;
  readonly chars: number;
  /** From `go` to the last worker's result. */
  readonly readMs: number;
  /** Including worker start-up and opening the database. */
  readonly totalMs: number;
  /** Slowest worker's own time; compared with readMs it shows how even the split was. */
  readonly slowestWorkerMs: number;
}

const WORKER_TIMEOUT_MS = 15 * 60_000;

/** Splits each table's rowid span into `n` equal ranges; worker i gets range i of every table. */
export function planRanges(dbPath: string, n: number): LimitRange[][] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const plan: LimitRange[][] = Array.from({ length: n }, () => []);
    for (const table of ['message', 'part'] as const) {
      const { lo, hi } = db.prepare(`SELECT coalesce(min(rowid), 0) AS lo, coalesce(max(rowid), 0) AS hi FROM ${table}`).get() as { lo: number; hi: number };
      const start = lo - 1;
      const span = hi - start;
      for (let i = 0; i < n; i++) {
        plan[i]!.push({ table, from: start + Math.floor((span * i) / n), to: i === n - 1 ? hi : start + Math.floor((span * (i + 1)) / n) });
      }
    }
    return plan;
  } finally {
    db.close();
  }
}

function startWorker(data: LimitWorkerData): { ready: Promise<void>; result: Promise<LimitWorkerResult>; worker: Worker } {
  const worker = new Worker(new URL('./tsWorker.cjs', import.meta.url), {
    workerData: { ...data, module: fileURLToPath(new URL('./limitWorker.ts', import.meta.url)) },
    execArgv: ['--import', 'tsx'],
  });
  let onReady!: () => void;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  const result = new Promise<LimitWorkerResult>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`limit worker did not finish within ${WORKER_TIMEOUT_MS / 60_000} min`)), WORKER_TIMEOUT_MS);
    worker.on('message', (message: 'ready' | LimitWorkerResult) => {
      if (message === 'ready') return onReady();
      clearTimeout(timer);
      resolve(message);
    });
    worker.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
  return { ready, result, worker };
}

export async function measureLimit(dbPath: string, workers = os.availableParallelism()): Promise<LimitResult> {
  const started = performance.now();
  const running = planRanges(dbPath, workers).map((ranges) => startWorker({ dbPath, ranges }));
  try {
    await Promise.race([Promise.all(running.map((w) => w.ready)), Promise.all(running.map((w) => w.result))]);
    const go = performance.now();
    for (const w of running) w.worker.postMessage('go');
    const results = await Promise.all(running.map((w) => w.result));
    const done = performance.now();
    return {
      workers,
      rows: results.reduce((s, r) => s + r.rows, 0),
      chars: results.reduce((s, r) => s + r.chars, 0),
      readMs: done - go,
      totalMs: done - started,
      slowestWorkerMs: Math.max(...results.map((r) => r.ms)),
    };
  } finally {
    await Promise.all(running.map((w) => w.worker.terminate()));
  }
}
