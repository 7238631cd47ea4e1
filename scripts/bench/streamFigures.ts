/**
 * The stream benchmark's figures and the pure judgements over them: medians, the engine's RSS growth while
 * several pages load, where one page's time goes, and the goals (≤ 3 s to queryable; RSS flat).
 */
import type { Goal } from './figures.js';
import type { RssSample } from './streamEngine.js';
import type { PageLoad } from './streamPage.js';
import type { StageTiming, TableInsert } from './streamProfile.js';

export const QUERYABLE_GOAL_MS = 3_000;
/** The engine's flow-control bound per client (engine/src/serve/stream/pacedSender.ts). */
export const IN_FLIGHT_BOUND_BYTES = 8 * 1024 * 1024;

export interface RssGrowth {
  /** The last sample before the pages were opened. */
  readonly baselineKb: number;
  readonly peakKb: number;
  readonly growthKb: number;
  readonly samples: number;
}

export interface StreamFigures {
  readonly date: string;
  readonly machine: { cores: number; cpu: string; ramGb: number; node: string; os: string; busyAtStart: number | null };
  readonly corpus: { sessions: number; messages: number; parts: number; dbBytes: number; generatedMs: number | null };
  /** The index that makes the engine's start warm; null when an existing state dir was reused. */
  readonly index: { wallMs: number; peakRssKb: number } | null;
  readonly engine: { startMs: number; rssKb: number };
  /** The whole snapshot (socket and body) read by a plain Node client: the engine's send rate without a browser. */
  readonly nodeProbe: StageTiming | null;
  /** One stage at a time (streamProfile.ts): the browser only receiving (socket + body), DuckDB-WASM only inserting. */
  readonly profile: { readonly browserReceive: StageTiming | null; readonly duckdbInsert: (StageTiming & { readonly tables: readonly TableInsert[] }) | null };
  /** The DuckDB file new pages attach: its size, its seq, and how long after the URL the engine offered it. */
  readonly snapshotFile: { readonly seq: number; readonly bytes: number; readonly afterStartMs: number } | null;
  /** Single pages as the dashboard opens: attaching the engine's DuckDB file (when it offers one). */
  readonly single: readonly PageLoad[];
  /** The same pages with `?attach=0`: the Arrow snapshot body inserted, alternating with `single`. */
  readonly singleArrow: readonly PageLoad[];
  /** Chromium's PSS (all its processes) at its peak during the first single-page load, and once it was loaded. */
  readonly browserPssKb: { readonly peak: number; readonly loaded: number } | null;
  readonly concurrent: { pages: number; loads: PageLoad[]; wallMs: number; rss: RssGrowth; intervalMs: number; browserPssKb: number | null } | null;
  readonly goals: Goal[];
  readonly errors: string[];
}

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** RSS growth over a run; `startMs` is when the pages were opened (sampler clock). */
export function rssGrowth(samples: readonly RssSample[], startMs: number): RssGrowth | null {
  if (samples.length === 0) return null;
  const before = samples.filter((s) => s.atMs <= startMs);
  const baselineKb = (before.at(-1) ?? samples[0]!).rssKb;
  const peakKb = Math.max(...samples.filter((s) => s.atMs >= startMs).map((s) => s.rssKb), baselineKb);
  return { baselineKb, peakKb, growthKb: peakKb - baselineKb, samples: samples.length };
}

/**
 * Where one page's time went, in ms, each step from the end of the one before (page clock). "First" and "last
 * byte" are the snapshot body's (protocol 3); the socket open → first byte step holds `hello` and the request.
 */
export function timeSplit(load: PageLoad): { label: string; ms: number }[] {
  const m = load.marks;
  const received = Math.max(m.snapshotReceived, 0);
  return [
    { label: 'navigation → socket open', ms: m.socketOpen },
    { label: 'socket open → first byte of the snapshot body (hello, then the GET)', ms: m.firstFrame - m.socketOpen },
    { label: 'first → last byte of the snapshot body received', ms: received - m.firstFrame },
    { label: 'last byte → snapshot applied in DuckDB', ms: m.snapshotApplied - received },
    { label: 'count(*) FROM parts', ms: m.queryable - m.snapshotApplied },
  ];
}

/**
 * Flat: the engine's growth while N pages load stays within N × the flow-control bound plus one snapshot's
 * worth of slack for the runtime (GC timing, socket buffers). Buffering each page's snapshot would cost N
 * snapshots; this bound tells the two apart.
 */
export function judgeStreamGoals(f: Omit<StreamFigures, 'goals'>): Goal[] {
  const queryable = median(f.single.map((l) => l.queryableMs));
  const goals: Goal[] = [
    {
      name: 'corpus → queryable DuckDB-WASM in headless Chromium (median of single-page runs, the dashboard as it opens: attaching the DuckDB file)',
      target: `≤ ${QUERYABLE_GOAL_MS / 1000} s`,
      actual: queryable === null ? '—' : `${(queryable / 1000).toFixed(2)} s (${(queryable / QUERYABLE_GOAL_MS).toFixed(2)} × the goal)`,
      met: queryable === null ? null : queryable <= QUERYABLE_GOAL_MS,
    },
  ];
  const c = f.concurrent;
  const snapshotBytes = median(f.single.map((l) => l.wire.bytes)) ?? c?.loads[0]?.wire.bytes ?? null;
  if (c && snapshotBytes !== null) {
    const allowedKb = (c.pages * IN_FLIGHT_BOUND_BYTES + snapshotBytes) / 1024;
    goals.push({
      name: `engine RSS flat while ${c.pages} pages load at once`,
      target: `growth ≤ ${c.pages} × 8 MiB in flight + one snapshot (${Math.round(allowedKb / 1024)} MiB)`,
      actual: `+${Math.round(c.rss.growthKb / 1024)} MiB (${Math.round(c.rss.baselineKb / 1024)} → ${Math.round(c.rss.peakKb / 1024)} MiB); ${c.pages} snapshots = ${Math.round((c.pages * snapshotBytes) / 2 ** 20)} MiB`,
      met: c.rss.growthKb <= allowedKb,
    });
  } else goals.push({ name: 'engine RSS flat while pages load at once', target: 'growth ≤ N × 8 MiB + one snapshot', actual: '—', met: null });
  return goals;
}
