/**
 * `npm run bench:stream [-- --parts N | --corpus DIR] [--state-dir DIR] [--runs N] [--pages N] [--json] [--no-docs]`
 *
 * The engine → DuckDB-WASM path on the 1,000,000-part corpus: index first (reported apart), start the engine
 * warm, then in headless Chromium measure the time from opening the page to a queryable database, the bytes on
 * the wire, the page's JS heap and DuckDB's memory; then open several pages at once and sample the engine's RSS
 * every 250 ms. Prints a summary and rewrites the `## Stream` section of docs/benchmarks.md. Every wait is
 * bounded; only the processes it started are stopped, by pid; its temporary files are removed.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { launchChromium, type Browser } from '../../tests/browser/chromium.js';
import { runMeasured, stopStartedChildren, tail } from './child.js';
import { describeCorpus, generateCorpus, type CorpusInfo } from './corpus.js';
import { probe } from './engineSocket.js';
import { machineInfo } from './figures.js';
import { writeSection } from './report.js';
import { busyBeforeRun, engineEnv, intOption, onInterrupt, sayer, step } from './steps.js';
import { chromiumMemory } from './streamBrowserMemory.js';
import { sampleRss, startStreamEngine, type StreamEngine } from './streamEngine.js';
import { judgeStreamGoals, rssGrowth, type StreamFigures } from './streamFigures.js';
import { instrumentedPage, loadPage, type PageLoad } from './streamPage.js';
import { browserReceiveOnly, duckdbInsertOnly } from './streamProfile.js';
import { renderStreamMarkdown, renderStreamText } from './streamReport.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(REPO_ROOT, 'bin', 'opencode-monitor');
const DOCS = path.join(REPO_ROOT, 'docs', 'benchmarks.md');
const RSS_INTERVAL_MS = 250;

const USAGE = `npm run bench:stream -- [options]
  --parts N          generate a corpus of about N parts (default 1000000)
  --corpus DIR       use an existing corpus (a tests/corpus output dir) instead of generating one
  --state-dir DIR    reuse a warm engine state dir made by \`opencode-monitor index\` on that corpus (skips the index)
  --runs N           single-page loads to time (default 3, at most 10)
  --pages N          pages loading at once while the engine's RSS is sampled (default 5, at most 10)
  --timeout-min M    limit for each step: corpus, index, engine start, one page load (default 10)
  --json             print the figures as JSON
  --no-docs          do not rewrite the ## Stream section of docs/benchmarks.md
`;

interface Options {
  parts: number;
  corpus: string | null;
  stateDir: string | null;
  runs: number;
  pages: number;
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
      'state-dir': { type: 'string' },
      runs: { type: 'string' },
      pages: { type: 'string' },
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
    parts: intOption(values.parts, 1_000_000, 'parts', 100_000_000),
    corpus: values.corpus ? path.resolve(values.corpus) : null,
    stateDir: values['state-dir'] ? path.resolve(values['state-dir']) : null,
    runs: intOption(values.runs, 3, 'runs', 10),
    pages: intOption(values.pages, 5, 'pages', 10),
    timeoutMs: intOption(values['timeout-min'], 10, 'timeout-min', 120) * 60_000,
    json: values.json === true,
    docs: values['no-docs'] !== true,
  };
}

const say = sayer('bench');

async function prepareCorpus(options: Options, tmp: string): Promise<CorpusInfo> {
  if (options.corpus) return describeCorpus(options.corpus, path.dirname(options.corpus), null);
  const dataDir = path.join(tmp, 'share', 'opencode');
  say(`generating a corpus of about ${options.parts.toLocaleString('en-US')} parts in ${dataDir}`);
  const generatedMs = await generateCorpus(REPO_ROOT, options.parts, dataDir, options.timeoutMs);
  return describeCorpus(dataDir, path.dirname(dataDir), generatedMs);
}

async function indexCold(dataDir: string, stateDir: string, tmp: string, timeoutMs: number): Promise<{ wallMs: number; peakRssKb: number }> {
  const run = await runMeasured(process.execPath, [BIN, 'index', '--data-dir', dataDir, '--state-dir', stateDir, '--json'], { cwd: REPO_ROOT, env: engineEnv(tmp), timeoutMs });
  if (run.timedOut) throw new Error(`index did not finish within ${timeoutMs / 60_000} min`);
  if (run.exitCode !== 0) throw new Error(`index exited with ${run.exitCode ?? run.signal}:\n${tail(run.stderr)}`);
  return { wallMs: run.wallMs, peakRssKb: run.peakRssKb };
}

/** Samples Chromium's total PSS every 500 ms until stopped; the peak and the last reading. */
function sampleBrowserPss(): { stop(): { peak: number; loaded: number } | null } {
  let peak = 0;
  let last = 0;
  const take = () => {
    const memory = chromiumMemory();
    if (!memory) return;
    last = memory.pssKb;
    peak = Math.max(peak, last);
  };
  const timer = setInterval(take, 500);
  return {
    stop() {
      clearInterval(timer);
      take();
      return peak > 0 ? { peak, loaded: last } : null;
    },
  };
}

/**
 * Single pages, the two ways alternating so both see the same machine: the dashboard as it opens (attaching the
 * engine's DuckDB file) and with `?attach=0` (inserting the Arrow snapshot body).
 */
async function singleLoads(browser: Browser, engine: StreamEngine, runs: number, timeoutMs: number): Promise<{ loads: PageLoad[]; arrowLoads: PageLoad[]; pssKb: StreamFigures['browserPssKb'] }> {
  const loads: PageLoad[] = [];
  const arrowLoads: PageLoad[] = [];
  let pssKb: StreamFigures['browserPssKb'] = null;
  for (let run = 1; run <= runs; run++) {
    for (const way of ['file', 'arrow'] as const) {
      say(`single page ${run} of ${runs} (${way === 'file' ? 'attaching the DuckDB file' : 'Arrow snapshot body, ?attach=0'})`);
      const page = await instrumentedPage(browser.context);
      const pss = run === 1 && way === 'file' ? sampleBrowserPss() : null;
      try {
        const load = await loadPage(page, way === 'file' ? engine.url : `${engine.url}&attach=0`, timeoutMs, true);
        (way === 'file' ? loads : arrowLoads).push(load);
      } finally {
        pssKb = pss?.stop() ?? pssKb;
        await page.close();
      }
    }
  }
  return { loads, arrowLoads, pssKb };
}

/** Waits (bounded) until the engine offers new pages its DuckDB file: written once the engine is quiet after start. */
async function snapshotFileReady(engine: StreamEngine, timeoutMs: number): Promise<NonNullable<StreamFigures['snapshotFile']>> {
  const started = performance.now();
  for (;;) {
    const res = await fetch(new URL('/api/health/detailed', engine.url), { headers: { authorization: `Bearer ${engine.token}` } });
    const body = (await res.json()) as { data?: { stream?: { snapshotFile: { seq: number; bytes: number } | null } } };
    const file = body.data?.stream?.snapshotFile;
    if (file) return { ...file, afterStartMs: performance.now() - started };
    if (performance.now() - started > timeoutMs) throw new Error(`the engine offered no DuckDB file within ${timeoutMs / 1000} s:\n${tail(engine.log())}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function concurrentLoads(browser: Browser, engine: StreamEngine, pages: number, timeoutMs: number): Promise<NonNullable<StreamFigures['concurrent']>> {
  const tabs = await Promise.all(Array.from({ length: pages }, () => instrumentedPage(browser.context)));
  const sampler = sampleRss(engine.pid, RSS_INTERVAL_MS);
  try {
    // A second of samples first: the baseline is the engine at rest.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const openedAt = sampler.samples.at(-1)?.atMs ?? 0;
    const started = performance.now();
    const loads = await Promise.all(tabs.map((page) => loadPage(page, engine.url, timeoutMs)));
    const wallMs = performance.now() - started;
    const browserPssKb = chromiumMemory()?.pssKb ?? null;
    // Keep sampling a little after the last page: memory freed late still counts as the run's.
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const rss = rssGrowth(sampler.stop(), openedAt);
    if (!rss) throw new Error('no RSS sample of the engine could be read');
    return { pages, loads, wallMs, rss, intervalMs: RSS_INTERVAL_MS, browserPssKb };
  } finally {
    sampler.stop();
    await Promise.all(tabs.map((page) => page.close()));
  }
}


async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  const busyAtStart = await busyBeforeRun(say);
  const startedAt = new Date();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ocm-bench-stream-'));
  const errors: string[] = [];
  let browser: Browser | undefined;
  let engine: StreamEngine | undefined;
  onInterrupt(say, `stopping the processes it started and removing ${tmp}`, () =>
    Promise.allSettled([browser?.close(), stopStartedChildren()]).finally(() => fs.rmSync(tmp, { recursive: true, force: true })),
  );
  try {
    const corpus = await prepareCorpus(options, tmp);
    let stateDir = options.stateDir;
    let index: StreamFigures['index'] = null;
    if (!stateDir) {
      stateDir = fs.mkdtempSync(path.join(tmp, 'state-'));
      say('indexing the corpus (cold) so that the engine starts warm');
      index = await indexCold(corpus.dataDir, stateDir, tmp, options.timeoutMs);
    }
    say('starting the engine on the warm state dir');
    engine = await startStreamEngine({ repoRoot: REPO_ROOT, dataDir: corpus.dataDir, stateDir, configHome: path.join(tmp, 'config'), env: engineEnv(tmp), timeoutMs: options.timeoutMs });
    const started = engine;
    const rssKb = sampleRss(started.pid).stop().at(-1)?.rssKb ?? 0;
    const nodeProbe = await step(say, 'the whole snapshot through a plain Node client', errors, async () => {
      const p = await probe(started.port, started.token, 'all', options.timeoutMs);
      return { ms: p.doneAt - p.openedAt, bytes: p.bytes, frames: p.frames };
    });
    const snapshotFile = await step(say, 'waiting for the engine\'s DuckDB file (written once it is quiet after start)', errors, () => snapshotFileReady(started, options.timeoutMs));
    browser = await launchChromium();
    const opened = browser;
    const single = await step(say, `${options.runs} single-page loads`, errors, () => singleLoads(opened, started, options.runs, options.timeoutMs));
    // After the single loads: the context holds the token cookie the bare page's WebSocket needs.
    const browserReceive = await step(say, 'profile: the page\'s path alone (WebSocket + fetch of the snapshot body), bytes only', errors, () => browserReceiveOnly(opened.context, started.url, options.timeoutMs));
    const duckdbInsert = await step(say, 'profile: DuckDB-WASM inserts alone (Node build)', errors, () => duckdbInsertOnly(started.port, started.token, options.timeoutMs));
    const concurrent = await step(say, `${options.pages} pages at once, engine RSS every ${RSS_INTERVAL_MS} ms`, errors, () => concurrentLoads(opened, started, options.pages, options.timeoutMs));
    const m = corpus.manifest;
    const base: Omit<StreamFigures, 'goals'> = {
      date: startedAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
      machine: machineInfo(busyAtStart),
      corpus: { sessions: m.merged.sessions, messages: m.merged.messages, parts: m.merged.parts, dbBytes: corpus.dbBytes, generatedMs: corpus.generatedMs },
      index,
      engine: { startMs: started.startMs, rssKb },
      nodeProbe,
      profile: { browserReceive, duckdbInsert },
      snapshotFile,
      single: single?.loads ?? [],
      singleArrow: single?.arrowLoads ?? [],
      browserPssKb: single?.pssKb ?? null,
      concurrent,
      errors,
    };
    const figures: StreamFigures = { ...base, goals: judgeStreamGoals(base) };
    process.stdout.write(options.json ? JSON.stringify(figures, null, 2) + '\n' : renderStreamText(figures));
    if (options.docs) {
      const command = `npm run bench:stream${options.corpus ? ' -- --corpus DIR' : options.parts === 1_000_000 ? '' : ` -- --parts ${options.parts}`}`;
      writeSection(DOCS, renderStreamMarkdown(figures, command), 'Stream');
      say(`wrote the "## Stream" section of ${path.relative(REPO_ROOT, DOCS)}`);
    }
    return errors.length ? 1 : 0;
  } finally {
    await browser?.close().catch(() => undefined);
    await engine?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    process.stderr.write(`bench:stream failed: ${error.stack ?? error.message}\n`);
    process.exitCode = 1;
  },
);
