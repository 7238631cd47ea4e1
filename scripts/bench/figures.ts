/**
 * The benchmark's figures as one plain object (what `--json` prints), the goals judged from them, and the
 * token cross-check between the manifest, the engine, ccusage and our own tally of the corpus.
 */
import fs from 'node:fs';
import os from 'node:os';
import type { CorpusInfo } from './corpus.js';
import type { LimitResult } from './limit.js';
import type { LiveResult } from './live.js';
import type { TokenTotals } from './peer.js';

export interface IndexRun {
  readonly wallMs: number;
  /** The engine's own `elapsedMs` from the summary (without process start-up and shutdown). */
  readonly engineMs: number;
  readonly peakRssKb: number;
  readonly mode: 'cold' | 'warm';
  readonly tokens: TokenTotals;
}

export interface PeerRun {
  readonly wallMs: number;
  readonly peakRssKb: number;
  readonly days: number;
  readonly tokens: TokenTotals;
  readonly command: string;
}

export interface Goal {
  readonly name: string;
  readonly target: string;
  readonly actual: string;
  /** null when the figure could not be measured. */
  readonly met: boolean | null;
}

export interface TokenRow {
  readonly label: string;
  readonly tokens: TokenTotals;
}

export interface Figures {
  readonly date: string;
  readonly machine: { cores: number; cpu: string; ramGb: number; node: string; os: string; busyAtStart: number | null };
  readonly corpus: { partsTarget: number; sessions: number; messages: number; parts: number; dbBytes: number; legacyFiles: number; generatedMs: number | null };
  readonly limit: LimitResult;
  readonly cold: IndexRun | null;
  readonly warm: IndexRun | null;
  readonly live:
    | (Omit<LiveResult, 'engineLog'> & {
        p50Ms: number | null;
        p95Ms: number | null;
        maxMs: number | null;
        p50LowerMs: number | null;
        p95LowerMs: number | null;
        sourcesP50Ms: number | null;
        pushedP50Ms: number | null;
        pushedP95Ms: number | null;
        pushedMaxMs: number | null;
      })
    | null;
  readonly peer: PeerRun | null;
  /** (d) inside the engine: commit → row in the engine's tables (body) and → derived tables rebuilt. */
  readonly liveEngine: { attempted: number; missed: number; bodyP50Ms: number | null; bodyP95Ms: number | null; bodyMaxMs: number | null; derivedP50Ms: number | null; derivedP95Ms: number | null } | null;
  readonly tokens: { rows: TokenRow[]; notes: string[] };
  readonly goals: Goal[];
  readonly errors: string[];
}

function cpuTimes(): { idle: number; total: number } | null {
  try {
    const fields = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    return { idle: fields[3]! + (fields[4] ?? 0), total: fields.reduce((a, b) => a + b, 0) };
  } catch {
    return null;
  }
}

/** Percentage of all cores busy over `ms` (from /proc/stat): other work on the machine skews every figure. */
export async function cpuBusyPercent(ms = 1000): Promise<number | null> {
  const before = cpuTimes();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const after = cpuTimes();
  if (!before || !after || after.total === before.total) return null;
  return Math.round((1 - (after.idle - before.idle) / (after.total - before.total)) * 100);
}

/** `busyAtStart`: from `cpuBusyPercent` just before the run. */
export function machineInfo(busyAtStart: number | null): Figures['machine'] {
  let cpu = 'unknown';
  try {
    cpu = /^model name\s*:\s*(.+)$/m.exec(fs.readFileSync('/proc/cpuinfo', 'utf8'))?.[1]?.trim() ?? cpu;
  } catch {
    // not Linux: keep "unknown"
  }
  return { cores: os.availableParallelism(), cpu, ramGb: Math.round((os.totalmem() / 2 ** 30) * 10) / 10, node: process.version, os: `${os.type()} ${os.release()}`, busyAtStart };
}

/** Nearest-rank percentile of a sample. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

export const mb = (kb: number) => (kb * 1024) / 1e6;

export function liveFigures(live: LiveResult): NonNullable<Figures['live']> {
  const { engineLog: _log, ...rest } = live;
  return {
    ...rest,
    p50Ms: percentile(live.latenciesMs, 50),
    p95Ms: percentile(live.latenciesMs, 95),
    maxMs: live.latenciesMs.length ? Math.max(...live.latenciesMs) : null,
    p50LowerMs: percentile(live.lowerBoundsMs, 50),
    p95LowerMs: percentile(live.lowerBoundsMs, 95),
    sourcesP50Ms: percentile(live.sourcesLatenciesMs, 50),
    pushedP50Ms: percentile(live.pushedLatenciesMs, 50),
    pushedP95Ms: percentile(live.pushedLatenciesMs, 95),
    pushedMaxMs: live.pushedLatenciesMs.length ? Math.max(...live.pushedLatenciesMs) : null,
  };
}

const KINDS = ['input', 'output', 'reasoning', 'cacheRead', 'cacheWrite', 'total'] as const;

export function minus(a: TokenTotals, b: TokenTotals): TokenTotals {
  return Object.fromEntries(KINDS.map((k) => [k, a[k] - b[k]])) as unknown as TokenTotals;
}

export function plus(a: TokenTotals, b: TokenTotals): TokenTotals {
  return Object.fromEntries(KINDS.map((k) => [k, a[k] + b[k]])) as unknown as TokenTotals;
}

const ZERO: TokenTotals = { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: 0 };
const isZero = (t: TokenTotals) => KINDS.every((k) => t[k] === 0);
const fmt = (n: number) => n.toLocaleString('en-US');
const describe = (t: TokenTotals) => KINDS.filter((k) => t[k] !== 0).map((k) => `${k} ${t[k] > 0 ? '+' : ''}${fmt(t[k])}`).join(', ');

/** The cross-check rows and what each difference is, in words. */
export function crossCheck(corpus: CorpusInfo, tally: { dbRows: TokenTotals; legacyNotInDb: TokenTotals; legacyNotInDbMessages: number }, engine: TokenTotals | null, warm: TokenTotals | null, peer: TokenTotals | null): Figures['tokens'] {
  const m = corpus.manifest;
  const jsonOnly = m.legacy?.jsonOnly.tokens ?? ZERO;
  const expectedPeer = plus(tally.dbRows, tally.legacyNotInDb);
  const rows: TokenRow[] = [
    { label: 'manifest raw (database rows; fork copies counted again)', tokens: m.raw.tokens },
    { label: 'manifest unique (database; fork copies once)', tokens: m.unique.tokens },
    { label: 'manifest merged (unique + legacy JSON-only sessions)', tokens: m.merged.tokens },
    ...(engine ? [{ label: 'engine `index --json`, cold', tokens: engine }] : []),
    ...(warm ? [{ label: 'engine `index --json`, warm', tokens: warm }] : []),
    { label: 'our tally: database rows + legacy messages not in the database', tokens: expectedPeer },
    ...(peer ? [{ label: 'ccusage, sum over days (reasoning = total − the other four)', tokens: peer }] : []),
  ];
  const notes: string[] = [];
  if (!isZero(minus(tally.dbRows, m.raw.tokens))) notes.push(`our tally of the database differs from the manifest's raw totals: ${describe(minus(tally.dbRows, m.raw.tokens))}`);
  if (engine) {
    const d = minus(engine, m.merged.tokens);
    notes.push(isZero(d) ? 'engine = manifest merged, exactly: fork copies counted once, legacy JSON-only history added, overlap de-duplicated by id.' : `engine − manifest merged: ${describe(d)} (unexplained: the engine should match merged).`);
  }
  if (engine && warm && !isZero(minus(warm, engine))) notes.push(`warm index differs from cold: ${describe(minus(warm, engine))}`);
  if (peer) {
    const d = minus(peer, expectedPeer);
    notes.push(isZero(d) ? 'ccusage = database rows + legacy messages not in the database, exactly: it de-duplicates the legacy overlap by message id but counts fork copies as new messages.' : `ccusage − our tally: ${describe(d)} (unexplained).`);
  }
  if (peer && engine) {
    const dbForks = m.forks.copiedTokens;
    const legacyForks = minus(tally.legacyNotInDb, jsonOnly);
    const residual = minus(minus(minus(peer, engine), dbForks), legacyForks);
    notes.push(
      `ccusage − engine: ${describe(minus(peer, engine)) || 'none'} = fork copies in the database (${fmt(m.forks.sessions)} forked sessions, ${fmt(dbForks.total)} tokens) + fork copies in the legacy JSON-only history (${fmt(legacyForks.total)} tokens)` +
        (isZero(residual) ? ', with nothing left over.' : `, leaving ${describe(residual)} unexplained.`),
    );
  }
  return { rows, notes };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** The goals of the ingest work, each judged met, not met, or not measured. */
export function judgeGoals(f: Omit<Figures, 'goals'>): Goal[] {
  const goals: Goal[] = [];
  const ratio = f.cold ? f.limit.readMs / f.cold.wallMs : null;
  goals.push({
    name: 'cold index throughput vs the physical limit (a / b)',
    target: '≥ 0.60',
    actual: ratio === null ? 'not measured' : `${ratio.toFixed(3)} (${seconds(f.limit.readMs)} / ${seconds(f.cold!.wallMs)})`,
    met: ratio === null ? null : ratio >= 0.6,
  });
  goals.push({ name: 'warm restart to ready (c)', target: '≤ 1.00 s', actual: f.warm ? seconds(f.warm.wallMs) : 'not measured', met: f.warm ? f.warm.wallMs <= 1000 : null });
  const engineP95 = f.liveEngine?.bodyP95Ms ?? null;
  goals.push({
    name: "live latency p95 (d): a change in the engine's tables",
    target: '≤ 250 ms',
    actual:
      engineP95 === null
        ? 'not measured'
        : `${Math.round(engineP95)} ms (${f.liveEngine!.attempted - f.liveEngine!.missed} of ${f.liveEngine!.attempted} changes; derived tables p95 ${f.liveEngine!.derivedP95Ms === null ? '—' : `${Math.round(f.liveEngine!.derivedP95Ms)} ms`})`,
    met: engineP95 === null ? null : engineP95 <= 250 && f.liveEngine!.missed === 0,
  });
  const pushedP95 = f.live?.pushedP95Ms ?? null;
  goals.push({
    name: 'live latency p95 (d): pushed to an open dashboard connection',
    target: '≤ 250 ms',
    actual: pushedP95 === null ? 'not measured' : `${Math.round(pushedP95)} ms (${f.live!.pushedLatenciesMs.length} of ${f.live!.attempted} changes pushed)`,
    met: pushedP95 === null ? null : pushedP95 <= 250 && f.live!.notPushed === 0,
  });
  const p95 = f.live?.p95Ms ?? null;
  const liveMissed = f.live ? f.live.missed : 0;
  goals.push({
    name: 'live latency p95 (d): shown to a new WebSocket client',
    target: '≤ 250 ms',
    actual: p95 === null ? 'not measured' : `${Math.round(p95)} ms${f.live!.p95LowerMs ? `, at least ${Math.round(f.live!.p95LowerMs)} ms` : ''} (${f.live!.latenciesMs.length} of ${f.live!.attempted} changes shown${liveMissed ? `, ${liveMissed} never` : ''})`,
    // Judged on the upper bound (the conservative reading); the lower bound is shown beside it.
    met: p95 === null ? null : p95 <= 250 && liveMissed === 0,
  });
  const peaks = [f.cold?.peakRssKb, f.warm?.peakRssKb, f.live?.peakRssKb].filter((k): k is number => k !== undefined && k > 0);
  const peak = peaks.length ? Math.max(...peaks) : null;
  goals.push({ name: 'engine peak RSS (e: max of b, c, d)', target: '≤ 600 MB', actual: peak === null ? 'not measured' : `${Math.round(mb(peak))} MB`, met: peak === null ? null : mb(peak) <= 600 });
  const speed = f.cold && f.peer ? f.peer.wallMs / f.cold.wallMs : null;
  goals.push({
    name: 'engine cold index vs ccusage (f)',
    target: 'faster (ratio > 1)',
    actual: speed === null ? 'not measured' : `ccusage / engine = ${speed.toFixed(2)} (${seconds(f.peer!.wallMs)} / ${seconds(f.cold!.wallMs)})`,
    met: speed === null ? null : speed > 1,
  });
  return goals;
}
