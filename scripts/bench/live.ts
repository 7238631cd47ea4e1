/**
 * (d) Live latency: the engine runs `start` on the warm state of (b) and watches the corpus; single changes
 * are committed into opencode.db one at a time, and each is timed from its commit until the engine shows it.
 *
 * How the engine shows a change: to a connection already open, as a pushed delta (the connection held open all
 * along records when the new row arrives); to a new client, in its connection's snapshot, taken when the
 * connection opens: that latency is the open time of the first connection whose `parts` table holds the new row
 * (see `waitForChange`), bounded below by how often such a probe can run (a snapshot is hundreds of MB).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { sampleMemory, stopChild, tail, track } from './child.js';
import { probe, watchPushes, type PushedFrame } from './engineSocket.js';
import { undoOnInterrupt } from './interrupt.js';
import { createLiveWriter, type LiveWriter } from './liveWriter.js';

const PROBE_INTERVAL_MS = 25;
const PARTS_PROBE_MIN_MS = 100;
const PAUSE_MS = 250;
const MAX_CONSECUTIVE_MISSES = 2;
/** The last change may still wait this long after the phase budget is used up. */
const MIN_CHANGE_WAIT_MS = 10_000;

export interface LiveOptions {
  readonly repoRoot: string;
  readonly dataDir: string;
  readonly stateDir: string;
  readonly changes: number;
  /** Per-change wait before it counts as not shown. */
  readonly changeTimeoutMs: number;
  /** Time allowed for the engine to print its URL (a warm start). */
  readonly startTimeoutMs: number;
  /** Whole live phase, after the engine is ready. */
  readonly budgetMs: number;
  readonly env: NodeJS.ProcessEnv;
  /** The run's temporary directory (removed by the caller). */
  readonly tmpDir: string;
}

export interface LiveResult {
  /** Spawn until the engine printed its dashboard URL. */
  readonly readyMs: number;
  /** One full snapshot over the WebSocket (what a dashboard load receives). */
  readonly snapshot: { ms: number; bytes: number; frames: number; partsRows: number };
  /** Commit → the first snapshot whose `parts` table holds the new row, per change shown (an upper bound). */
  readonly latenciesMs: number[];
  /** Commit → the last snapshot whose `parts` table did not hold it yet, per change shown (a lower bound). */
  readonly lowerBoundsMs: number[];
  /** Commit → the first snapshot whose `sources` row counts it (end of the engine's refresh), per change shown. */
  readonly sourcesLatenciesMs: number[];
  /**
   * Commit → the frame that pushed the new row to the connection held open since the start (what an open
   * dashboard receives), per change written; changes never pushed are counted in `notPushed`.
   */
  readonly pushedLatenciesMs: number[];
  readonly notPushed: number;
  readonly missed: number;
  /** For each missed change, how far it got. */
  readonly missDetails: Miss[];
  readonly attempted: number;
  readonly stoppedEarly?: string;
  readonly pushFrames: number;
  readonly pushKinds: string[];
  readonly peakRssKb: number;
  /** The last lines the engine logged (for a run that went wrong). */
  readonly engineLog: string;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

interface Seen {
  /** Open time of the first probe whose `parts` table holds the change: the latency's upper bound. */
  readonly shownAt: number;
  /** Open time of the last `parts` probe that did not hold it (or the commit): the lower bound. */
  readonly notBefore: number;
  /** Open time of the first cheap probe whose `sources` row counted the new part, if one did first. */
  readonly sourcesAt: number | null;
}

/** Why a change was not seen in time: the refresh never counted it, or its row never reached `parts`. */
export interface Miss {
  readonly stage: 'refresh' | 'parts';
  readonly expected: { readonly dbParts: number; readonly engineParts: number };
  readonly last: { dbParts: number | null; engineParts: number | null };
}

/**
 * Probing must not load the engine it measures, and reading up to `parts` is hundreds of MB per connection on a
 * large corpus. So cheap probes read only the `sources` table (a few kB; the engine rebuilds it at the end of a
 * refresh that changed something, with the database's part count) every PROBE_INTERVAL_MS, and a probe reads
 * up to `parts` as soon as `sources` counts the new part, and otherwise at most every PARTS_PROBE_MIN_MS or twice
 * its own last duration, whichever is longer (the row can reach `parts` before the refresh rebuilds `sources`).
 * One probe at a time; a probe the engine does not answer in time just counts as "not yet".
 */
async function waitForChange(port: number, token: string, expected: Miss['expected'], since: number, timeoutMs: number): Promise<Seen | Miss> {
  const deadline = since + timeoutMs;
  const last: Miss['last'] = { dbParts: null, engineParts: null };
  const attempt = (depth: 'sources' | 'parts') => probe(port, token, depth, Math.max(1000, deadline - performance.now())).catch(() => null);
  let sourcesAt: number | null = null;
  let notBefore = since;
  let nextPartsProbe = since + PARTS_PROBE_MIN_MS;
  while (performance.now() < deadline) {
    if (sourcesAt === null) {
      const p = await attempt('sources');
      if (p) last.dbParts = p.sourcesDbParts;
      if (p && p.sourcesDbParts >= expected.dbParts) sourcesAt = p.openedAt;
    }
    if (sourcesAt !== null || performance.now() >= nextPartsProbe) {
      const started = performance.now();
      const p = await attempt('parts');
      if (p) last.engineParts = p.partsRows;
      if (p && p.partsRows >= expected.engineParts) return { shownAt: p.openedAt, notBefore, sourcesAt };
      if (p) notBefore = Math.max(notBefore, p.openedAt);
      nextPartsProbe = performance.now() + Math.max(PARTS_PROBE_MIN_MS, 2 * (performance.now() - started));
    }
    await sleep(PROBE_INTERVAL_MS);
  }
  return { stage: sourcesAt === null ? 'refresh' : 'parts', expected, last };
}

function startEngine(options: LiveOptions, configHome: string) {
  const started = performance.now();
  const args = [path.join(options.repoRoot, 'bin', 'opencode-monitor'), 'start', '--port', '0', '--data-dir', options.dataDir, '--state-dir', options.stateDir];
  const child = track(spawn(process.execPath, args, { cwd: options.repoRoot, env: { ...options.env, XDG_CONFIG_HOME: configHome }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const memory = child.pid === undefined ? null : sampleMemory(child.pid);
  const ready = new Promise<{ url: URL; readyMs: number }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the engine printed no URL within ${options.startTimeoutMs / 1000} s:\n${tail(log)}`)), options.startTimeoutMs);
    const poll = setInterval(() => {
      const match = /Dashboard: (http:\/\/\S+)/.exec(log);
      if (!match) return;
      clearInterval(poll);
      clearTimeout(timer);
      resolve({ url: new URL(match[1]!), readyMs: performance.now() - started });
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`the engine exited (${code}) before printing its URL:\n${tail(log)}`));
    });
  });
  ready.catch(() => undefined); // awaited later; this only keeps an early exit from being an unhandled rejection
  return { child, ready, memory, log: () => log };
}

export async function measureLive(options: LiveOptions): Promise<LiveResult> {
  const configHome = fs.mkdtempSync(path.join(options.tmpDir, 'config-'));
  const engine = startEngine(options, configHome);
  let writer: ReturnType<typeof createLiveWriter> | undefined;
  let pushes: ReturnType<typeof watchPushes> | undefined;
  let forget: () => void = () => undefined;
  let result: Omit<LiveResult, 'peakRssKb' | 'engineLog'>;
  try {
    const created = createLiveWriter(path.join(options.dataDir, 'opencode.db'));
    writer = created;
    forget = undoOnInterrupt(() => {
      created.cleanup();
      created.close();
    });
    const { url, readyMs } = await engine.ready;
    const port = Number(url.port);
    const token = url.searchParams.get('token') ?? '';
    pushes = watchPushes(port, token, options.startTimeoutMs);
    const first = await pushes.snapshot;
    const { written, ...changes } = await runChanges(options, writer, port, token, { dbParts: first.sourcesDbParts, engineParts: first.partsRows });
    const pushed = pushLatencies(written, pushes.pushes);
    result = {
      pushedLatenciesMs: pushed.latenciesMs,
      notPushed: pushed.missing,
      readyMs,
      snapshot: { ms: first.doneAt - first.openedAt, bytes: first.bytes, frames: first.frames, partsRows: first.partsRows },
      ...changes,
      pushFrames: pushes.pushes.length,
      pushKinds: [...new Set(pushes.pushes.map((f) => f.kind))],
    };
  } finally {
    pushes?.close();
    await stopChild(engine.child);
    engine.memory?.stop();
    try {
      writer?.cleanup();
    } finally {
      forget();
      writer?.close();
      fs.rmSync(configHome, { recursive: true, force: true });
    }
  }
  // Probes closed early make the engine log "snapshot not sent"; those lines say nothing about the engine.
  const log = engine.log().split('\n').filter((line) => !line.includes('snapshot not sent')).join('\n');
  return { ...result, peakRssKb: engine.memory?.peakKb() ?? 0, engineLog: tail(log, 20) };
}

type ChangeStats = Pick<LiveResult, 'latenciesMs' | 'lowerBoundsMs' | 'sourcesLatenciesMs' | 'missed' | 'missDetails' | 'attempted' | 'stoppedEarly'> & {
  /** Every change committed: its part id and commit time. */
  readonly written: { partId: string; committedAt: number }[];
};

/** Per change, commit → the first pushed `parts` frame that holds its row. */
export function pushLatencies(written: readonly { partId: string; committedAt: number }[], pushes: readonly PushedFrame[]): { latenciesMs: number[]; missing: number } {
  const firstPush = new Map<string, number>();
  for (const push of pushes) for (const id of push.partIds ?? []) if (!firstPush.has(id)) firstPush.set(id, push.at);
  const latenciesMs: number[] = [];
  let missing = 0;
  for (const { partId, committedAt } of written) {
    const at = firstPush.get(partId);
    if (at === undefined) missing++;
    else latenciesMs.push(at - committedAt);
  }
  return { latenciesMs, missing };
}

/** Commits the changes one at a time and waits for each to show; bounded in count, per change and in total. */
async function runChanges(options: LiveOptions, writer: LiveWriter, port: number, token: string, base: { dbParts: number; engineParts: number }): Promise<ChangeStats> {
  const latenciesMs: number[] = [];
  const sourcesLatenciesMs: number[] = [];
  const lowerBoundsMs: number[] = [];
  const missDetails: Miss[] = [];
  const written: { partId: string; committedAt: number }[] = [];
  let missed = 0;
  let misses = 0;
  let attempted = 0;
  let stoppedEarly: string | undefined;
  const phaseEnd = performance.now() + options.budgetMs;
  for (let i = 0; i < options.changes; i++) {
    if (performance.now() > phaseEnd) {
      stoppedEarly = `live phase budget of ${options.budgetMs / 1000} s used up after ${attempted} changes`;
      break;
    }
    await sleep(PAUSE_MS);
    const change = writer.write(i);
    written.push({ partId: change.partId, committedAt: change.committedAt });
    attempted++;
    const expected = { dbParts: base.dbParts + i + 1, engineParts: base.engineParts + i + 1 };
    const wait = Math.min(options.changeTimeoutMs, Math.max(MIN_CHANGE_WAIT_MS, phaseEnd - performance.now()));
    const seen = await waitForChange(port, token, expected, change.committedAt, wait);
    if ('shownAt' in seen) {
      latenciesMs.push(seen.shownAt - change.committedAt);
      lowerBoundsMs.push(seen.notBefore - change.committedAt);
      if (seen.sourcesAt !== null) sourcesLatenciesMs.push(seen.sourcesAt - change.committedAt);
      misses = 0;
      continue;
    }
    if (wait < options.changeTimeoutMs) {
      stoppedEarly = `live phase budget of ${options.budgetMs / 1000} s used up; change ${i + 1} was still not shown ${Math.round(wait / 1000)} s after its commit`;
      break;
    }
    missed++;
    missDetails.push(seen);
    if (++misses >= MAX_CONSECUTIVE_MISSES) {
      stoppedEarly = `${misses} changes in a row not shown within ${Math.round(wait / 1000)} s`;
      break;
    }
  }
  return { latenciesMs, lowerBoundsMs, sourcesLatenciesMs, missed, missDetails, attempted, written, ...(stoppedEarly ? { stoppedEarly } : {}) };
}
