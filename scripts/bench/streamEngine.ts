/**
 * The engine under the stream benchmark: `opencode-monitor start` as a child process on a warm state dir, its
 * URL and token, and its resident memory sampled at a fixed interval. Only this child is ever stopped, by pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { readMemoryKb, stopChild, tail, track } from './child.js';

export interface StreamEngine {
  readonly pid: number;
  readonly port: number;
  /** The printed dashboard URL, with its one-time token. */
  readonly url: string;
  readonly token: string;
  /** From spawn to the printed URL: a warm start (saved index, refresh, watcher, server). */
  readonly startMs: number;
  log(): string;
  stop(): Promise<void>;
}

export interface EngineStartOptions {
  readonly repoRoot: string;
  readonly dataDir: string;
  readonly stateDir: string;
  /** XDG_CONFIG_HOME of the engine: where it creates its token. */
  readonly configHome: string;
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutMs: number;
}

export async function startStreamEngine(options: EngineStartOptions): Promise<StreamEngine> {
  const started = performance.now();
  const args = [path.join(options.repoRoot, 'bin', 'opencode-monitor'), 'start', '--port', '0', '--data-dir', options.dataDir, '--state-dir', options.stateDir];
  const child: ChildProcess = track(spawn(process.execPath, args, { cwd: options.repoRoot, env: { ...options.env, XDG_CONFIG_HOME: options.configHome }, stdio: ['ignore', 'pipe', 'pipe'] }));
  let log = '';
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the engine printed no URL within ${options.timeoutMs / 1000} s:\n${tail(log)}`)), options.timeoutMs);
      const poll = setInterval(() => {
        const match = /Dashboard: (http:\/\/\S+)/.exec(log);
        if (!match) return;
        clearInterval(poll);
        clearTimeout(timer);
        resolve(match[1]!);
      }, 20);
      child.once('exit', (code) => {
        clearInterval(poll);
        clearTimeout(timer);
        reject(new Error(`the engine exited (${code}) before printing its URL:\n${tail(log)}`));
      });
    });
    const startMs = performance.now() - started;
    const token = fs.readFileSync(path.join(options.configHome, 'opencode-monitor', 'token'), 'utf8').trim();
    return { pid: child.pid!, port: Number(new URL(url).port), url, token, startMs, log: () => log, stop: () => stopChild(child) };
  } catch (error) {
    await stopChild(child);
    throw error;
  }
}

export interface RssSample {
  /** ms since the sampler started. */
  readonly atMs: number;
  readonly rssKb: number;
}

export interface RssSampler {
  readonly samples: readonly RssSample[];
  /** Stops sampling and returns every sample taken. */
  stop(): RssSample[];
}

/** Reads VmRSS of `pid` every `intervalMs` (the first sample at once); a bounded number of samples is kept. */
export function sampleRss(pid: number, intervalMs = 250, maxSamples = 20_000): RssSampler {
  const samples: RssSample[] = [];
  const begun = performance.now();
  const take = () => {
    const memory = readMemoryKb(pid);
    if (memory && samples.length < maxSamples) samples.push({ atMs: performance.now() - begun, rssKb: memory.rss });
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      take();
      return samples;
    },
  };
}
