/**
 * The live-monitor benchmark's figures (what `--json` prints), the goals of issue 5 judged from them, and the
 * `## Live monitor` section of docs/benchmarks.md.
 */
import { percentile } from './figures.js';
import type { Figures, Goal } from './figures.js';
import type { ResourceSample } from './liveMonitorLoad.js';

export const STREAM_GOAL_MS = 50;
export const INFERRED_GOAL_MS = 500;
/** Retained heap growth over the whole load (after a full GC at both ends) that still counts as bounded. */
export const RETAINED_GOAL_MB = 5;

export interface LatencyStats {
  readonly samples: number;
  readonly p50Ms: number | null;
  readonly p95Ms: number | null;
  readonly maxMs: number | null;
  readonly minMs: number | null;
}

export interface StreamFigures {
  readonly turns: number;
  readonly failedTurns: string[];
  readonly rawEvents: number;
  readonly followerUpdates: number;
  readonly unmatched: { raw: number; follower: number };
  /** Samples where the follower's socket was read before the raw reader's (negative skew). */
  readonly followerFirst: number;
  readonly latency: LatencyStats;
}

export interface InferredFigures {
  /** null: the follower's default interval. */
  readonly intervalMs: number | null;
  readonly latency: LatencyStats;
  readonly missed: number;
  readonly inferP50Ms: number | null;
  readonly sessionsInDb: number;
}

export interface LoadFigures {
  readonly instances: number;
  readonly ratePerInstance: number;
  readonly seconds: number;
  readonly offered: number;
  readonly processed: number;
  readonly offeredPerSecond: number;
  readonly processedPerSecond: number;
  readonly latency: LatencyStats;
  readonly connected: number;
  readonly disconnects: number;
  readonly rss: { baselineMb: number; peakMb: number; lastMb: number; slopeLast10sMbPerS: number | null };
  readonly heap: { baselineMb: number; peakMb: number; slopeLast10sMbPerS: number | null; retainedGrowthMb: number | null };
  readonly cpu: { meanPercent: number | null; peakPercent: number | null };
  readonly eventLoop: { worstP99Ms: number | null; maxMs: number | null };
  readonly samples: ResourceSample[];
}

export interface LiveMonitorFigures {
  readonly date: string;
  readonly machine: Figures['machine'];
  readonly stream: StreamFigures | null;
  readonly streamUnderLoad: StreamFigures | null;
  readonly inferred: InferredFigures[];
  readonly load: LoadFigures | null;
  readonly goals: Goal[];
  readonly errors: string[];
}

const round = (x: number | null, digits = 1): number | null => (x === null ? null : Math.round(x * 10 ** digits) / 10 ** digits);

export function latencyStats(values: readonly number[]): LatencyStats {
  return {
    samples: values.length,
    p50Ms: round(percentile(values, 50), 2),
    p95Ms: round(percentile(values, 95), 2),
    maxMs: round(values.length ? Math.max(...values) : null, 2),
    minMs: round(values.length ? Math.min(...values) : null, 2),
  };
}

/** Least-squares slope of `y` over `t` (per second); null with fewer than 3 points. */
export function slope(points: readonly { t: number; y: number }[]): number | null {
  if (points.length < 3) return null;
  const n = points.length;
  const mt = points.reduce((a, p) => a + p.t, 0) / n;
  const my = points.reduce((a, p) => a + p.y, 0) / n;
  const den = points.reduce((a, p) => a + (p.t - mt) ** 2, 0);
  return den === 0 ? null : round(points.reduce((a, p) => a + (p.t - mt) * (p.y - my), 0) / den, 3);
}

const ms = (x: number | null) => (x === null ? '—' : `${x < 10 ? x.toFixed(2) : Math.round(x)} ms`);
const ratio = (x: number | null, goal: number) => (x === null ? '—' : `${(x / goal).toFixed(2)} × goal`);
const n = (x: number) => Math.round(x).toLocaleString('en-US');

export function judgeGoals(f: Omit<LiveMonitorFigures, 'goals'>): Goal[] {
  const goals: Goal[] = [];
  const p95 = f.stream?.latency.p95Ms ?? null;
  goals.push({ name: 'stream event → follower state, p95 (one real instance)', target: `≤ ${STREAM_GOAL_MS} ms`, actual: p95 === null ? 'not measured' : `${ms(p95)} (${ratio(p95, STREAM_GOAL_MS)}, ${f.stream!.latency.samples} samples)`, met: p95 === null ? null : p95 <= STREAM_GOAL_MS });
  const loaded = f.streamUnderLoad?.latency.p95Ms ?? null;
  goals.push({ name: 'the same, with the 100-instance load running', target: `≤ ${STREAM_GOAL_MS} ms`, actual: loaded === null ? 'not measured' : `${ms(loaded)} (${ratio(loaded, STREAM_GOAL_MS)}, ${f.streamUnderLoad!.latency.samples} samples)`, met: loaded === null ? null : loaded <= STREAM_GOAL_MS });
  const def = f.inferred.find((i) => i.intervalMs === null);
  const dp95 = def?.latency.p95Ms ?? null;
  goals.push({ name: 'database write → inferred state, p95 (default interval)', target: `≤ ${INFERRED_GOAL_MS} ms`, actual: dp95 === null ? 'not measured' : `${ms(dp95)} (${ratio(dp95, INFERRED_GOAL_MS)}, ${def!.latency.samples} changes, ${def!.missed} missed)`, met: dp95 === null ? null : dp95 <= INFERRED_GOAL_MS && def!.missed === 0 });
  const l = f.load;
  goals.push({
    name: `load: ${l ? `${l.instances} instances × ${l.ratePerInstance} events/s` : 'synthetic instances'} processed as offered`,
    target: 'all offered events processed, rate ≥ 99 % of offered',
    actual: l ? `${n(l.processed)} of ${n(l.offered)} (${n(l.processedPerSecond)}/s vs ${n(l.offeredPerSecond)}/s offered)` : 'not measured',
    met: l ? l.processed >= l.offered && l.processedPerSecond >= 0.99 * l.offeredPerSecond : null,
  });
  const grown = l?.heap.retainedGrowthMb ?? null;
  goals.push({
    name: 'load: bounded memory (retained heap growth after full GC)',
    target: `≤ ${RETAINED_GOAL_MB} MB over the run`,
    actual: l ? `${grown === null ? '—' : `${grown} MB`}; RSS peak ${l.rss.peakMb} MB, slope over the last 10 s ${l.rss.slopeLast10sMbPerS ?? '—'} MB/s` : 'not measured',
    met: grown === null ? null : grown <= RETAINED_GOAL_MB,
  });
  return goals;
}

function streamRow(label: string, s: StreamFigures | null): string[] {
  if (!s) return [label, 'not measured', '', '', '', ''];
  const l = s.latency;
  return [label, `${l.samples} (${s.turns} turns)`, ms(l.p50Ms), ms(l.p95Ms), ms(l.maxMs), `${ratio(l.p95Ms, STREAM_GOAL_MS)}; unmatched raw ${s.unmatched.raw} / follower ${s.unmatched.follower}; follower read first in ${s.followerFirst}`];
}

function mdTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

const METHOD = `How each figure is taken (\`scripts/bench/liveMonitor*.ts\`); benchmarks, not tests: nothing here is asserted.

- **Stream latency (1)**: the fake model and one real \`opencode serve\` (tests/harness) run scripted turns one after
  another (benign-ls, multi-step, todos, tool-error, subagent). In the benchmark's process the engine's
  \`followInstance\` and an independent raw SSE reader both subscribe to the instance's \`/global/event\`. The raw
  reader stamps every chunk on arrival and keeps its own view of each session and tool call, so only events that
  must change the follower's state produce a change key (status busy/idle/retry, tool pending/running/gone, todo
  summary); the follower's \`onUpdate\` diffs are turned into the same keys and stamped after parse, reduce and diff.
  Pairs are matched oldest first within 5 s. Because both readers share one process and one event loop, the figure
  is the follower's processing (SSE framing, JSON.parse, reducer, diff apply) plus the skew between the two
  sockets' reads; it can be negative when the follower's socket happens to be read first. The network hop from
  OpenCode is the same for both and is not included. The harness's fake model also runs in this process. The same
  pairing runs again, with new turns, while the synthetic load (3) runs.
- **Database-inferred latency (2)**: \`followDatabase\` on a copy (\`VACUUM INTO\`, WAL) of the real instance's
  opencode.db. The benchmark adds one busy session and then, one transaction at a time and at a random phase
  against the poll timer, starts or completes a tool part (part row upserted, session and message
  \`time_updated\` bumped). Latency is commit → the first \`onChange\` whose inference shows the change. Run with the
  default interval and with \`intervalMs: 100\`. "inference" is one forced \`poll(true)\` on that database.
- **Synthetic load (3)**: one child process hosts N fake OpenCode servers (one port each) answering the seed
  endpoints and streaming \`/global/event\`; each emits R events/s, staggered across instances, cycling through a
  ten-event turn over 8 sessions (busy, todos, two tool calls pending → running → completed, todos, idle) plus a
  heartbeat every 10 s. Every event changes the follower's state exactly once, so "processed" counts \`onUpdate\`
  calls. Tool arguments and todo labels carry the send time, so latency is send → \`onUpdate\` across the two
  processes (same clock). The benchmark process runs only the N followers (and, for the "under load" row, the real
  instance's follower and raw reader); its RSS, heap, CPU and event-loop delay are sampled every second. Retained
  heap growth is heap used after a full GC at the end minus the same at the start.`;

export function renderMarkdown(f: LiveMonitorFigures, command: string): string {
  const m = f.machine;
  const lines = [
    '## Live monitor',
    '',
    `Measured ${f.date} with \`${command}\` on ${m.cores} cores (${m.cpu}), ${m.ramGb} GB RAM, ${m.os}, Node ${m.node}; CPUs ${m.busyAtStart ?? '?'}% busy in the second before the run.`,
    '',
    '### Goals (issue 5)',
    '',
    mdTable(['goal', 'target', 'measured', 'verdict'], f.goals.map((g) => [g.name, g.target, g.actual, `**${g.met === null ? 'not measured' : g.met ? 'met' : 'NOT met'}**`])),
    '',
    '### Stream: OpenCode event → follower state',
    '',
    mdTable(['run', 'samples', 'p50', 'p95', 'max', 'note'], [streamRow('one real instance, no synthetic load', f.stream), streamRow('one real instance, 100-instance load running', f.streamUnderLoad)]),
    '',
    '### Database-inferred state: commit → onChange',
    '',
    mdTable(
      ['poll interval', 'changes', 'p50', 'p95', 'max', 'note'],
      f.inferred.map((i) => [i.intervalMs === null ? 'default (250 ms)' : `${i.intervalMs} ms`, `${i.latency.samples} (${i.missed} missed)`, ms(i.latency.p50Ms), ms(i.latency.p95Ms), ms(i.latency.maxMs), `${ratio(i.latency.p95Ms, INFERRED_GOAL_MS)}; one inference ${ms(i.inferP50Ms)} (p50) on ${i.sessionsInDb} sessions`]),
    ),
    '',
  ];
  const l = f.load;
  if (l) {
    lines.push(
      `### Synthetic load: ${l.instances} instances × ${l.ratePerInstance} events/s for ${l.seconds} s`,
      '',
      mdTable(['figure', 'value'], [
        ['events offered / processed', `${n(l.offered)} / ${n(l.processed)}`],
        ['rate offered / processed', `${n(l.offeredPerSecond)}/s / ${n(l.processedPerSecond)}/s`],
        ['send → onUpdate latency', `p50 ${ms(l.latency.p50Ms)}, p95 ${ms(l.latency.p95Ms)}, max ${ms(l.latency.maxMs)} (${n(l.latency.samples)} stamped events)`],
        ['followers connected at the end / disconnects during the load', `${l.connected} / ${l.disconnects}`],
        ['RSS baseline → peak → last; slope over the last 10 s', `${l.rss.baselineMb} → ${l.rss.peakMb} → ${l.rss.lastMb} MB; ${l.rss.slopeLast10sMbPerS ?? '—'} MB/s`],
        ['heap used baseline → peak; slope over the last 10 s; retained growth after full GC', `${l.heap.baselineMb} → ${l.heap.peakMb} MB; ${l.heap.slopeLast10sMbPerS ?? '—'} MB/s; ${l.heap.retainedGrowthMb ?? '—'} MB`],
        ['CPU of the follower process (% of one core), mean / peak second', `${l.cpu.meanPercent ?? '—'} % / ${l.cpu.peakPercent ?? '—'} %`],
        ['event-loop delay, worst per-second p99 / max', `${ms(l.eventLoop.worstP99Ms)} / ${ms(l.eventLoop.maxMs)}`],
      ]),
      '',
    );
  }
  const remarks = [...(f.stream?.failedTurns ?? []), ...(f.streamUnderLoad?.failedTurns ?? [])].map((t) => `A scripted turn failed: ${t}`);
  if ((m.busyAtStart ?? 0) > 10) remarks.push(`Other work kept the CPUs ${m.busyAtStart}% busy just before the run; maxima and event-loop delays include time this process was not scheduled.`);
  if (l && l.offeredPerSecond < 0.98 * l.instances * l.ratePerInstance) remarks.push(`The fake servers offered ${n(l.offeredPerSecond)} events/s instead of the nominal ${n(l.instances * l.ratePerInstance)}/s (their timers ran late); "processed" is compared with what was actually offered.`);
  for (const e of f.errors) remarks.push(`Error: ${e}`);
  if (remarks.length) lines.push('### Remarks', '', ...remarks.map((x) => `- ${x}`), '');
  lines.push('### Method', '', METHOD, '');
  return lines.join('\n');
}

export function renderText(f: LiveMonitorFigures): string {
  const out = [`bench:live — ${f.date} — ${f.machine.cores} cores (${f.machine.cpu}), Node ${f.machine.node}`];
  for (const g of f.goals) out.push(`  ${g.met === null ? '?' : g.met ? '✔' : '✘'} ${g.name}: ${g.actual} (target ${g.target})`);
  for (const e of f.errors) out.push(`ERROR ${e}`);
  return out.join('\n') + '\n';
}
