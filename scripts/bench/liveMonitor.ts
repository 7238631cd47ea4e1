/**
 * `npm run bench:live [-- --turns N] [--samples N] [--instances N] [--rate R] [--seconds S] [--db-changes N] [--json] [--no-docs]`
 *
 * Issue 5's latency and load goals for the live monitor, on this machine, in one run:
 * (1) a real `opencode serve` (harness + fake model): OpenCode stream event → the engine follower's state;
 * (3) the same while N synthetic instances × R events/s are followed in this process (served by a child process);
 * (2) a database write → `followDatabase`'s inferred state, on a copy of the real instance's opencode.db.
 * Prints the figures (or JSON) and rewrites the `## Live monitor` section of docs/benchmarks.md. Every process
 * it starts is stopped by its own handle or pid; every temporary file is removed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startFakeModel, startOpencode } from '../../tests/harness/index.js';
import type { FakeModel, OpencodeInstance } from '../../tests/harness/index.js';
import { stopStartedChildren } from './child.js';
import { machineInfo } from './figures.js';
import { copyDatabase, measureDbLatency } from './liveMonitorDb.js';
import { measureLoad } from './liveMonitorLoad.js';
import type { LoadResult } from './liveMonitorLoad.js';
import { judgeGoals, latencyStats, renderMarkdown, renderText, slope } from './liveMonitorReport.js';
import type { InferredFigures, LiveMonitorFigures, LoadFigures, StreamFigures } from './liveMonitorReport.js';
import { driveTurns, startStreamProbe } from './liveMonitorStream.js';
import type { StreamProbe, TurnRun } from './liveMonitorStream.js';
import { writeSection } from './report.js';
import { busyBeforeRun, intOption, onInterrupt, sayer, step } from './steps.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const DOCS = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
const MAX_TURNS = 80;
const TURN_BUDGET_MS = 6 * 60_000;

const say = sayer('bench:live');

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      turns: { type: 'string' },
      samples: { type: 'string' },
      instances: { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      'db-changes': { type: 'string' },
      json: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
    },
  });
  return {
    turns: intOption(values.turns, 20, 'turns', MAX_TURNS),
    samples: intOption(values.samples, 200, 'samples', 5_000),
    instances: intOption(values.instances, 100, 'instances', 500),
    rate: intOption(values.rate, 20, 'rate', 200),
    seconds: intOption(values.seconds, 30, 'seconds', 600),
    dbChanges: intOption(values['db-changes'], 40, 'db-changes', 1_000),
    json: values.json === true,
    docs: values['no-docs'] !== true,
  };
}

type Options = ReturnType<typeof parseOptions>;


/** Drives turns on the real instance while pairing its changes; `enough` sees the turns and samples so far. */
async function measureStream(probe: StreamProbe, oc: OpencodeInstance, fm: FakeModel, enough: (turns: number, samples: number) => boolean): Promise<StreamFigures> {
  const matcher = probe.beginMeasuring();
  const before = { ...probe.counts };
  const run: TurnRun = await driveTurns(oc, fm, { enough: (turns) => enough(turns, matcher.samples.length), maxTurns: MAX_TURNS, budgetMs: TURN_BUDGET_MS });
  // The last events of the last turn may still be in flight.
  await new Promise((r) => setTimeout(r, 500));
  return {
    turns: run.turns,
    failedTurns: run.failedTurns,
    rawEvents: probe.counts.rawEvents - before.rawEvents,
    followerUpdates: probe.counts.followerUpdates - before.followerUpdates,
    unmatched: matcher.unmatched(),
    followerFirst: matcher.samples.filter((s) => s < 0).length,
    latency: latencyStats(matcher.samples),
  };
}

function loadFigures(options: Options, r: LoadResult<unknown>): LoadFigures {
  const last10 = r.resources.filter((s) => s.t > (r.resources.at(-1)?.t ?? 0) - 10);
  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : null);
  const cpu = r.resources.map((s) => s.cpuPercent);
  return {
    instances: options.instances,
    ratePerInstance: options.rate,
    seconds: options.seconds,
    offered: r.offered,
    processed: r.processed,
    offeredPerSecond: Math.round(r.offered / (r.emitMs / 1000)),
    processedPerSecond: Math.round(r.processed / (r.processMs / 1000)),
    latency: latencyStats(r.latenciesMs),
    connected: r.connected,
    disconnects: r.disconnects,
    rss: { baselineMb: r.baseline.rssMb, peakMb: max(r.resources.map((s) => s.rssMb)) ?? r.baseline.rssMb, lastMb: r.resources.at(-1)?.rssMb ?? r.baseline.rssMb, slopeLast10sMbPerS: slope(last10.map((s) => ({ t: s.t, y: s.rssMb }))) },
    heap: {
      baselineMb: r.baseline.heapMb,
      peakMb: max(r.resources.map((s) => s.heapMb)) ?? r.baseline.heapMb,
      slopeLast10sMbPerS: slope(last10.map((s) => ({ t: s.t, y: s.heapMb }))),
      retainedGrowthMb: r.retainedHeapMb ? Math.round((r.retainedHeapMb.after - r.retainedHeapMb.before) * 10) / 10 : null,
    },
    cpu: { meanPercent: cpu.length ? Math.round(cpu.reduce((a, b) => a + b, 0) / cpu.length) : null, peakPercent: max(cpu) },
    eventLoop: { worstP99Ms: max(r.resources.map((s) => s.loopP99Ms)), maxMs: max(r.resources.map((s) => s.loopMaxMs)) },
    samples: r.resources,
  };
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const busyAtStart = await busyBeforeRun(say);
  const startedAt = new Date();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocm-bench-live-'));
  const errors: string[] = [];
  let fm: FakeModel | undefined;
  let oc: OpencodeInstance | undefined;
  let probe: StreamProbe | undefined;
  const cleanUp = async () => {
    await probe?.stop().catch(() => undefined);
    await oc?.stop().catch(() => undefined);
    await fm?.close().catch(() => undefined);
    await stopStartedChildren();
    fs.rmSync(tmp, { recursive: true, force: true });
  };
  onInterrupt(say, `stopping what it started and removing ${tmp}`, cleanUp);
  try {
    let stream: StreamFigures | null = null;
    let streamUnderLoad: StreamFigures | null = null;
    let load: LoadFigures | null = null;
    const inferred: InferredFigures[] = [];
    const started = await step(say, 'starting the fake model and a real opencode serve', errors, async () => {
      fm = await startFakeModel();
      oc = await startOpencode({ fakeModelUrl: fm.url });
      probe = await startStreamProbe({ id: 'real', url: oc.url });
      return { fm, oc, probe };
    });
    if (started) {
      const { fm: model, oc: instance, probe: p } = started;
      stream = await step(say, `(1) stream latency: at least ${options.turns} turns and ${options.samples} samples`, errors, () =>
        measureStream(p, instance, model, (turns, samples) => turns >= options.turns && samples >= options.samples),
      );
      const loadRun = await step(say, `(3) synthetic load: ${options.instances} instances × ${options.rate} events/s for ${options.seconds} s, with real turns`, errors, () =>
        measureLoad(options, () => {
          const began = performance.now();
          // New turns start only while the load still runs; one turn takes a few seconds.
          return measureStream(p, instance, model, () => performance.now() - began > options.seconds * 1000 - 4_000);
        }),
      );
      if (loadRun) {
        load = loadFigures(options, loadRun);
        streamUnderLoad = loadRun.during;
      }
    }
    const dbCopy = path.join(tmp, 'opencode-copy.db');
    const copied = oc ? await step(say, 'copying the real instance\'s opencode.db', errors, async () => copyDatabase((oc as OpencodeInstance).dbPath, dbCopy)) : null;
    await probe?.stop();
    probe = undefined;
    await oc?.stop();
    oc = undefined;
    await fm?.close();
    fm = undefined;
    if (copied !== null) {
      for (const intervalMs of [undefined, 100]) {
        const r = await step(say, `(2) database-inferred latency, ${options.dbChanges} changes, interval ${intervalMs ?? 'default'}`, errors, () =>
          measureDbLatency({ sourceDb: dbCopy, tmpDir: tmp, changes: options.dbChanges, intervalMs }),
        );
        if (r) inferred.push({ intervalMs: intervalMs ?? null, latency: latencyStats(r.latenciesMs), missed: r.missed, inferP50Ms: latencyStats(r.inferMs).p50Ms, sessionsInDb: r.sessionsInDb });
      }
    }
    const base = { date: startedAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC', machine: machineInfo(busyAtStart), stream, streamUnderLoad, inferred, load, errors };
    const figures: LiveMonitorFigures = { ...base, goals: judgeGoals(base) };
    process.stdout.write(options.json ? JSON.stringify(figures, null, 2) + '\n' : renderText(figures));
    if (options.docs) {
      const defaults = options.turns === 20 && options.samples === 200 && options.instances === 100 && options.rate === 20 && options.seconds === 30 && options.dbChanges === 40;
      const command = `npm run bench:live${defaults ? '' : ` -- ${process.argv.slice(2).filter((a) => a !== '--json').join(' ')}`}`;
      writeSection(DOCS, renderMarkdown(figures, command), 'Live monitor');
      say(`wrote the "## Live monitor" section of ${path.relative(REPO_ROOT, DOCS)}`);
    }
    return errors.length ? 1 : 0;
  } finally {
    await cleanUp();
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    process.stderr.write(`bench:live failed: ${error.stack ?? error.message}\n`);
    process.exitCode = 1;
  },
);
