/**
 * (3) Synthetic load: a child process hosts N fake OpenCode servers (liveMonitorFakeServers.ts); this process
 * follows every one of them with the engine's `followInstance`, exactly as the engine would, and measures only
 * its own side: updates processed against events offered, send → onUpdate latency (the send time travels in
 * tool arguments and todo labels), and its RSS, heap, CPU and event-loop delay every second. Whatever else should
 * run under the load (real turns) is passed in as `during`.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import { followInstance } from '../../engine/src/live/follow/index.js';
import type { InstanceFollower } from '../../engine/src/live/follow/index.js';
import type { LiveDiff } from '../../shared/src/index.js';
import { stopChild, track } from './child.js';
import { waitUntil } from './liveMonitorStream.js';

const CHILD = fileURLToPath(new URL('./liveMonitorFakeServers.ts', import.meta.url));
const STAMP = /@(\d+(?:\.\d+)?)$/;

export interface LoadOptions {
  readonly instances: number;
  readonly rate: number;
  readonly seconds: number;
}

export interface ResourceSample {
  /** Seconds since the load started. */
  readonly t: number;
  readonly rssMb: number;
  readonly heapMb: number;
  /** CPU time of this process over the last second, in % of one core. */
  readonly cpuPercent: number;
  /** Event-loop delay over the last second: p99 and max, in ms. */
  readonly loopP99Ms: number;
  readonly loopMaxMs: number;
}

export interface LoadResult<T> {
  readonly offered: number;
  readonly emitMs: number;
  /** Follower updates caused by the load (every offered event changes the state exactly once). */
  readonly processed: number;
  /** From go to the last update processed. */
  readonly processMs: number;
  readonly latenciesMs: number[];
  readonly resources: ResourceSample[];
  readonly baseline: { rssMb: number; heapMb: number };
  /** Heap used after a full GC before the load and after it (null if GC could not be forced). */
  readonly retainedHeapMb: { before: number; after: number } | null;
  readonly connected: number;
  readonly disconnects: number;
  readonly during: T;
}

interface Done {
  type: 'done';
  sent: number;
  emitMs: number;
}

/** A full garbage collection without `--expose-gc` on the command line (npm runs us through tsx). */
function fullGc(): (() => void) | undefined {
  try {
    v8.setFlagsFromString('--expose-gc');
    return vm.runInNewContext('gc') as () => void;
  } catch {
    return undefined;
  }
}

const epochMs = (): number => performance.timeOrigin + performance.now();
const mbOf = (bytes: number): number => Math.round((bytes / 1e6) * 10) / 10;

/** The send time a load event left in the state: a tool's argument or a todo summary's current label. */
export function stampsOf(diffs: readonly LiveDiff[]): number[] {
  const out: number[] = [];
  for (const d of diffs) {
    if (d.op !== 'set' || typeof d.value !== 'object' || d.value === null) continue;
    const v = d.value as { argument?: unknown; currentLabel?: unknown };
    const text = typeof v.argument === 'string' ? v.argument : typeof v.currentLabel === 'string' ? v.currentLabel : undefined;
    const m = text === undefined ? null : STAMP.exec(text);
    if (m) out.push(Number(m[1]));
  }
  return out;
}

function startChild(opts: LoadOptions): Promise<{ child: ChildProcess; urls: string[] }> {
  const child = track(fork(CHILD, ['--instances', String(opts.instances), '--rate', String(opts.rate), '--seconds', String(opts.seconds)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] }));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the fake servers did not start within 60 s')), 60_000);
    child.once('exit', (code) => reject(new Error(`the fake servers exited early (${code})`)));
    child.on('message', (m: { type?: string; urls?: string[] }) => {
      if (m.type === 'ready' && m.urls) (clearTimeout(timer), resolve({ child, urls: m.urls }));
    });
  });
}

function sampleResources(began: number): { samples: ResourceSample[]; stop(): void } {
  const samples: ResourceSample[] = [];
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  let cpu = process.cpuUsage();
  let at = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const used = process.cpuUsage(cpu);
    const mem = process.memoryUsage();
    samples.push({
      t: Math.round((now - began) / 100) / 10,
      rssMb: mbOf(mem.rss),
      heapMb: mbOf(mem.heapUsed),
      cpuPercent: Math.round(((used.user + used.system) / 1000 / (now - at)) * 100),
      loopP99Ms: Math.round(loop.percentile(99) / 1e5) / 10,
      loopMaxMs: Math.round(loop.max / 1e5) / 10,
    });
    loop.reset();
    cpu = process.cpuUsage();
    at = now;
  }, 1000);
  return { samples, stop: () => (clearInterval(timer), loop.disable()) };
}

export async function measureLoad<T>(opts: LoadOptions, during: () => Promise<T>): Promise<LoadResult<T>> {
  const { child, urls } = await startChild(opts);
  const followers: InstanceFollower[] = [];
  const latenciesMs: number[] = [];
  let counting = false;
  let processed = 0;
  let lastProcessedAt = 0;
  let disconnects = 0;
  try {
    urls.forEach((url, i) => {
      followers.push(
        followInstance({ id: `load-${i}`, url }, {
          onUpdate: (u) => {
            if (!counting) return;
            if (u.diffs.some((d) => d.path.length === 3 && d.path[2] === 'connection' && d.op === 'set' && d.value === 'disconnected')) disconnects += 1;
            const at = epochMs();
            processed += 1;
            lastProcessedAt = performance.now();
            for (const sent of stampsOf(u.diffs)) latenciesMs.push(at - sent);
          },
        }),
      );
    });
    await waitUntil(() => followers.every((f) => f.instance()?.connection === 'connected'), 60_000, `${urls.length} followers to connect`);
    const gc = fullGc();
    gc?.();
    const base = process.memoryUsage();
    const began = performance.now();
    const resources = sampleResources(began);
    counting = true;
    const done = new Promise<Done>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the fake servers did not finish emitting in time')), (opts.seconds + 120) * 1000);
      child.on('message', (m: { type?: string }) => m.type === 'done' && (clearTimeout(timer), resolve(m as Done)));
    });
    child.send({ type: 'go' });
    const [result, duringResult] = await Promise.all([done, during()]);
    // Let the last frames in flight arrive, bounded.
    await waitUntil(() => processed >= result.sent, 10_000, 'the last load events').catch(() => undefined);
    resources.stop();
    counting = false;
    gc?.();
    const after = process.memoryUsage();
    return {
      offered: result.sent,
      emitMs: result.emitMs,
      processed,
      processMs: lastProcessedAt - began,
      latenciesMs,
      resources: resources.samples,
      baseline: { rssMb: mbOf(base.rss), heapMb: mbOf(base.heapUsed) },
      retainedHeapMb: gc ? { before: mbOf(base.heapUsed), after: mbOf(after.heapUsed) } : null,
      connected: followers.filter((f) => f.instance()?.connection === 'connected').length,
      disconnects,
      during: duringResult,
    };
  } finally {
    await Promise.all(followers.map((f) => f.stop()));
    await stopChild(child, 5_000);
  }
}
