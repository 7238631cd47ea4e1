/**
 * Child processes for the benchmark: run one to completion (wall time, stdout, peak RSS) or keep one running,
 * and sample its memory from /proc. The engine runs its Piscina workers as threads, so one pid covers it all:
 * VmHWM is the peak resident set of the whole process, threads included. Children are stopped only by their
 * own pid: SIGINT first (the engine shuts down cleanly on it), SIGKILL if it does not exit in time.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';

const SAMPLE_MS = 50;

/** Every child this benchmark started and that has not exited yet, so an interrupted run can stop them. */
const started = new Set<ChildProcess>();

/** Registers a child we spawned; it leaves the set when it exits. */
export function track<T extends ChildProcess>(child: T): T {
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}

/** Stops every child this benchmark started and that still runs (SIGINT, by pid). */
export function stopStartedChildren(): Promise<void> {
  return Promise.all([...started].map((child) => stopChild(child, 5_000))).then(() => undefined);
}

/** Reads VmHWM and VmRSS (kB) of a live process; null once it is gone. */
export function readMemoryKb(pid: number): { hwm: number; rss: number } | null {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return null;
  }
  const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? 0);
  return { hwm: field('VmHWM'), rss: field('VmRSS') };
}

/** Polls a pid every 50 ms and keeps the highest VmHWM/VmRSS seen. */
export function sampleMemory(pid: number): { peakKb(): number; stop(): number } {
  let peak = 0;
  const take = () => {
    const m = readMemoryKb(pid);
    if (m) peak = Math.max(peak, m.hwm, m.rss);
  };
  take();
  const timer = setInterval(take, SAMPLE_MS);
  return {
    peakKb: () => peak,
    stop() {
      take();
      clearInterval(timer);
      return peak;
    },
  };
}

export interface RunResult {
  readonly wallMs: number;
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly stdout: string;
  readonly stderr: string;
  readonly peakRssKb: number;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

/** Stops a child we started: SIGINT, then SIGKILL after `graceMs`. Resolves when it has exited. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill('SIGINT');
  });
}

/** Runs a command to completion; wall time is from spawn to exit, so it includes the runtime's start-up. */
export function runMeasured(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const begun = performance.now();
    const child = track(spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] }));
    if (child.pid === undefined) {
      child.once('error', reject);
      return;
    }
    const memory = sampleMemory(child.pid);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      void stopChild(child);
    }, options.timeoutMs);
    child.once('close', (exitCode, signal) => {
      const wallMs = performance.now() - begun;
      clearTimeout(timer);
      const peakRssKb = memory.stop();
      resolve({ wallMs, exitCode, signal, timedOut, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), peakRssKb });
    });
  });
}

/** The last lines of a child's stderr, for error messages. */
export function tail(text: string, lines = 8): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}
