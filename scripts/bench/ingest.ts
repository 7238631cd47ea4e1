/**
 * `npm run bench:ingest [-- --parts N | --corpus DIR] [--changes N] [--json] [--no-docs]`
 *
 * Measures the engine's ingest on a generated corpus (about 1,000,000 parts by default) against (a) the
 * physical limit of reading and parsing every row on all cores, (b) its own cold index, (c) its warm restart,
 * (d) live latency of single changes while `start` watches, (e) peak RSS, and (f) ccusage over the same data,
 * with a token cross-check. Prints a table (or JSON) and rewrites the `## Ingest` section of docs/benchmarks.md.
 * Every temporary directory is removed at the end, and only child processes it started are stopped, by pid.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { runMeasured, stopStartedChildren, tail } from './child.js';
import { describeCorpus, generateCorpus, tallyCorpusTokens, type CorpusInfo } from './corpus.js';
import { crossCheck, judgeGoals, liveFigures, machineInfo, percentile, type Figures, type IndexRun, type PeerRun } from './figures.js';
import { runInterruptUndos } from './interrupt.js';
import { measureLimit, type LimitResult } from './limit.js';
import { measureLive } from './live.js';
import { measureLiveEngine } from './liveEngine.js';
import { measurePeer, type TokenTotals } from './peer.js';
import { renderMarkdown, renderText, writeSection } from './report.js';
import { busyBeforeRun, engineEnv, intOption, onInterrupt, sayer, step } from './steps.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(REPO_ROOT, 'bin', 'opencode-monitor');
const DOCS = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
const MAX_CHANGES = 200;

const USAGE = `npm run bench:ingest -- [options]
  --parts N          generate a corpus of about N parts (default 1000000; e.g. 50000 for a quick try)
  --corpus DIR       use an existing corpus (a tests/corpus output dir) instead of generating one
  --changes N        live changes to time (default 40, at most ${MAX_CHANGES})
  --timeout-min M    limit for each step: corpus, cold index, engine start (default 15)
  --json             print the figures as JSON instead of the table
  --no-docs          do not rewrite the ## Ingest section of docs/benchmarks.md
`;

interface Options {
  parts: number;
  corpus: string | null;
  changes: number;
  timeoutMs: number;
  json: boolean;
  docs: boolean;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      parts: { type: 'string' },
      corpus: { type: 'string' },
      changes: { type: 'string' },
      'timeout-min': { type: 'string' },
      json: { type: 'boolean' },
      'no-docs': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  return {
    parts: intOption(values.parts, 1_000_000, 'parts'),
    corpus: values.corpus ? path.resolve(values.corpus) : null,
    changes: intOption(values.changes, 40, 'changes', MAX_CHANGES),
    timeoutMs: intOption(values['timeout-min'], 15, 'timeout-min', 120) * 60_000,
    json: values.json === true,
    docs: values['no-docs'] !== true,
  };
}

const say = sayer('bench');

async function prepareCorpus(options: Options, tmp: string): Promise<CorpusInfo> {
  if (options.corpus) {
    // ccusage finds OpenCode data at $XDG_DATA_HOME/opencode: link the corpus in under that name if needed.
    let xdg = path.dirname(options.corpus);
    if (path.basename(options.corpus) !== 'opencode') {
      xdg = path.join(tmp, 'xdg-data');
      fs.mkdirSync(xdg);
      fs.symlinkSync(options.corpus, path.join(xdg, 'opencode'));
    }
    return describeCorpus(options.corpus, xdg, null);
  }
  const xdg = path.join(tmp, 'share');
  const dataDir = path.join(xdg, 'opencode');
  say(`generating a corpus of about ${options.parts.toLocaleString('en-US')} parts in ${dataDir}`);
  const generatedMs = await generateCorpus(REPO_ROOT, options.parts, dataDir, options.timeoutMs);
  return describeCorpus(dataDir, xdg, generatedMs);
}

async function bestLimit(dbPath: string): Promise<LimitResult> {
  const first = await measureLimit(dbPath);
  const second = await measureLimit(dbPath);
  return second.readMs < first.readMs ? second : first;
}

async function indexRun(dataDir: string, stateDir: string, tmp: string, timeoutMs: number, expected: 'cold' | 'warm'): Promise<IndexRun> {
  const run = await runMeasured(process.execPath, [BIN, 'index', '--data-dir', dataDir, '--state-dir', stateDir, '--json'], { cwd: REPO_ROOT, env: engineEnv(tmp), timeoutMs });
  if (run.timedOut) throw new Error(`index did not finish within ${timeoutMs / 60_000} min (stopped after ${(run.wallMs / 1000).toFixed(0)} s, peak RSS ${Math.round(run.peakRssKb / 1024)} MiB)`);
  if (run.exitCode !== 0) throw new Error(`index exited with ${run.exitCode ?? run.signal}:\n${tail(run.stderr)}`);
  const summary = JSON.parse(run.stdout) as { tokens: TokenTotals; elapsedMs: number };
  // The JSON summary does not say how the index was built; the engine logs why it rebuilt a saved index.
  const mode = expected === 'warm' && /rebuilding the index/.test(run.stderr) ? 'cold' : expected;
  return { wallMs: run.wallMs, engineMs: summary.elapsedMs, peakRssKb: run.peakRssKb, mode, tokens: summary.tokens };
}


async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const busyAtStart = await busyBeforeRun(say);
  const startedAt = new Date();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocm-bench-ingest-'));
  const errors: string[] = [];
  // Interrupted: stop our own children by pid, remove the temporary files, and leave.
  onInterrupt(say, `stopping the processes it started and removing ${tmp}`, () =>
    stopStartedChildren().finally(() => {
      runInterruptUndos();
      fs.rmSync(tmp, { recursive: true, force: true });
    }),
  );
  try {
    const corpus = await prepareCorpus(options, tmp);
    const db = path.join(corpus.dataDir, 'opencode.db');
    say('(a) physical limit: read + JSON.parse every message and part row on all cores (best of 2)');
    const limit = await bestLimit(db);
    const stateDir = fs.mkdtempSync(path.join(tmp, 'state-'));
    const cold = await step(say, '(b) engine cold index', errors, () => indexRun(corpus.dataDir, stateDir, tmp, options.timeoutMs, 'cold'));
    const warm = cold ? await step(say, '(c) engine warm restart', errors, () => indexRun(corpus.dataDir, stateDir, tmp, options.timeoutMs, 'warm')) : null;
    const peerResult = await step(say, '(f) ccusage', errors, () => measurePeer(REPO_ROOT, corpus.xdgDataHome, options.timeoutMs));
    const peer: PeerRun | null = peerResult && { wallMs: peerResult.run.wallMs, peakRssKb: peerResult.run.peakRssKb, days: peerResult.days, tokens: peerResult.tokens, command: peerResult.command };
    const tally = tallyCorpusTokens(corpus.dataDir);
    const liveEngineRun = cold
      ? await step(say, `(d) live latency inside the engine, ${options.changes} changes`, errors, () =>
          measureLiveEngine({ dataDir: corpus.dataDir, stateDir, changes: options.changes, changeTimeoutMs: 30_000 }),
        )
      : null;
    const liveEngine = liveEngineRun && {
      attempted: liveEngineRun.attempted,
      missed: liveEngineRun.missed,
      bodyP50Ms: percentile(liveEngineRun.bodyMs, 50),
      bodyP95Ms: percentile(liveEngineRun.bodyMs, 95),
      bodyMaxMs: liveEngineRun.bodyMs.length ? Math.max(...liveEngineRun.bodyMs) : null,
      derivedP50Ms: percentile(liveEngineRun.derivedMs, 50),
      derivedP95Ms: percentile(liveEngineRun.derivedMs, 95),
    };
    const live = cold
      ? await step(say, `(d) live latency, ${options.changes} changes`, errors, () =>
          measureLive({ repoRoot: REPO_ROOT, dataDir: corpus.dataDir, stateDir, changes: options.changes, changeTimeoutMs: 120_000, startTimeoutMs: options.timeoutMs, budgetMs: 5 * 60_000, env: engineEnv(tmp), tmpDir: tmp }),
        )
      : null;
    if (live && (live.missed > 0 || live.stoppedEarly)) say(`the engine's last log lines during (d):\n${live.engineLog}`);
    const m = corpus.manifest;
    const base: Omit<Figures, 'goals'> = {
      date: startedAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      machine: machineInfo(busyAtStart),
      corpus: { partsTarget: options.corpus ? (m.options?.partsTarget ?? m.raw.parts) : options.parts, sessions: m.merged.sessions, messages: m.merged.messages, parts: m.merged.parts, dbBytes: corpus.dbBytes, legacyFiles: corpus.legacyFiles, generatedMs: corpus.generatedMs },
      limit,
      cold,
      warm,
      live: live && liveFigures(live),
      liveEngine,
      peer,
      tokens: crossCheck(corpus, tally, cold?.tokens ?? null, warm?.tokens ?? null, peer?.tokens ?? null),
      errors,
    };
    const figures: Figures = { ...base, goals: judgeGoals(base) };
    process.stdout.write(options.json ? JSON.stringify(figures, null, 2) + '\n' : renderText(figures));
    if (options.docs) {
      const command = `npm run bench:ingest${options.corpus ? ' -- --corpus DIR' : options.parts === 1_000_000 ? '' : ` -- --parts ${options.parts}`}`;
      writeSection(DOCS, renderMarkdown(figures, command));
      say(`wrote the "## Ingest" section of ${path.relative(REPO_ROOT, DOCS)}`);
    }
    return errors.length ? 1 : 0;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    process.stderr.write(`bench:ingest failed: ${error.stack ?? error.message}\n`);
    process.exitCode = 1;
  },
);
