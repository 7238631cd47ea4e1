/**
 * Where a derive's security tables come from: the cache (nothing they are computed from moved), this thread (a
 * caller that waits for them anyway: a cold index, a refresh asked to derive now, a save), or a thread of their own
 * (a live change: a pass over every audited call takes seconds at 1M parts, and on the main thread it held every
 * refresh behind it on each tool call). One computation runs on that thread and at most one, the newest, waits for
 * it, so a burst of tool calls costs two; a result older than the tables in place is dropped.
 */
import type { Logger } from '../log.js';
import type { IngestPool } from '../pipeline/index.js';
import { computeSecurityTables, type SecurityTablesIpc, type SequenceRuleSet } from '../security/index.js';
import { storeSecurityTables, type SecurityCache, type SecurityPlan } from './finalize.js';

export interface SecurityRunnerOptions {
  readonly pool: Pick<IngestPool, 'securityTables'>;
  readonly rules: SequenceRuleSet;
  /** The derive's security cache: computed tables go into it under their plan's key. */
  readonly cache: SecurityCache;
  readonly logger: Logger;
  /** Puts tables in the store; `announce`: they were computed (cached ones are what the store holds already). */
  readonly put: (tables: SecurityTablesIpc, announce: boolean) => void;
}

export interface SecurityRunner {
  run(plan: SecurityPlan, when: 'now' | 'later'): void;
  /** Settles once nothing is on, or waiting for, the security thread. */
  idle(): Promise<void>;
}

type ComputePlan = SecurityPlan & { kind: 'compute' };

export function createSecurityRunner(options: SecurityRunnerOptions): SecurityRunner {
  const { cache, logger } = options;
  /** Numbers computations in the order they were asked for. */
  let asked = 0;
  let landed = 0;
  let running: ComputePlan | undefined;
  let queued: { plan: ComputePlan; job: number } | undefined;
  const waiting: (() => void)[] = [];

  const land = (plan: ComputePlan, job: number, tables: SecurityTablesIpc): void => {
    if (job < landed) return; // a newer derive's tables are already in
    landed = job;
    storeSecurityTables(cache, plan.key, tables);
    options.put(tables, true);
  };

  const startThread = (plan: ComputePlan, job: number): void => {
    running = plan;
    void options.pool
      .securityTables(plan.job)
      .catch((error: Error) => {
        logger.warn(`security tables computed on the main thread: their thread failed (${error.message})`);
        return computeSecurityTables(plan.job, options.rules);
      })
      .then((tables) => land(plan, job, tables))
      .catch((error: Error) => logger.warn(`security tables not updated: ${error.message}`))
      .finally(() => {
        running = undefined;
        const next = queued;
        queued = undefined;
        if (next) return startThread(next.plan, next.job);
        cache.pending = undefined;
        for (const resolve of waiting.splice(0)) resolve();
      });
  };

  return {
    run(plan, when) {
      if (plan.kind === 'pending') return;
      if (plan.kind === 'cached') return options.put(plan.tables, false);
      const job = ++asked;
      if (when === 'now') {
        // Whatever is on or waiting for the thread is older than these: it is dropped (or, running, lands nowhere).
        queued = undefined;
        cache.pending = undefined;
        land(plan, job, computeSecurityTables(plan.job, options.rules));
        return;
      }
      cache.pending = plan.key;
      if (running) queued = { plan, job };
      else startThread(plan, job);
    },
    idle: () => (running ? new Promise((resolve) => waiting.push(resolve)) : Promise.resolve()),
  };
}
