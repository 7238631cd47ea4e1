/**
 * A child process the harness owns: output captured into bounded buffers, a graceful stop that escalates, and a
 * safety net that kills it if the test process exits without stopping it (a failing test, a crashed worker).
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createBoundedBuffer } from './boundedBuffer.js';
import type { BoundedBuffer } from './boundedBuffer.js';

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ManagedProcess {
  readonly pid: number;
  /** stdout and stderr interleaved, tail only. */
  readonly output: BoundedBuffer;
  readonly stdout: BoundedBuffer;
  readonly stderr: BoundedBuffer;
  /** Resolves when the process has exited. */
  readonly exited: Promise<ExitInfo>;
  /** Set once exited. */
  readonly exitInfo: ExitInfo | undefined;
  /** Called with each stdout chunk (after buffering). */
  onStdout(listener: (chunk: string) => void): void;
  /**
   * Sends `signal` (default SIGINT: `opencode serve` ignores SIGTERM) to the PID, waits up to `graceMs`, then
   * SIGKILLs the process group this harness created. Leftover group members (tool commands) are killed too.
   */
  stop(opts?: { signal?: NodeJS.Signals; graceMs?: number }): Promise<ExitInfo>;
}

export interface SpawnOptions {
  cwd: string;
  env: Record<string, string>;
  maxOutputChars?: number;
}

/** Live processes and temp dirs to clean up if the test process goes away first. */
const livePids = new Set<number>();
const pendingDirs = new Set<string>();
let netInstalled = false;

/**
 * Negative pid = the process group; we created it (detached: true), so it only holds our process tree. Falling
 * back to the bare pid is only safe while our child is known to be alive (afterwards the pid may be reused).
 */
function killGroup(pid: number, signal: NodeJS.Signals, pidFallback: boolean): void {
  try {
    process.kill(-pid, signal);
  } catch {
    if (!pidFallback) return;
    try {
      process.kill(pid, signal);
    } catch {
      // Already gone.
    }
  }
}

function emergencyCleanup(): void {
  for (const pid of livePids) killGroup(pid, 'SIGKILL', true);
  livePids.clear();
  for (const dir of pendingDirs) {
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Best effort while exiting.
    }
  }
  pendingDirs.clear();
}

function installSafetyNet(): void {
  if (netInstalled) return;
  netInstalled = true;
  process.on('exit', emergencyCleanup);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      emergencyCleanup();
      process.off(sig, onSignal);
      // Re-raise only if nobody else handles the signal, so the default behaviour (exit) still happens.
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}

/** Removes `dir` at process exit unless `forget` is called first (for temp dirs whose owner may never clean up). */
export function removeAtExit(dir: string): { forget(): void } {
  installSafetyNet();
  pendingDirs.add(dir);
  return { forget: () => void pendingDirs.delete(dir) };
}

export function spawnManaged(file: string, args: string[], opts: SpawnOptions): ManagedProcess {
  installSafetyNet();
  const max = opts.maxOutputChars ?? 256 * 1024;
  const output = createBoundedBuffer(max);
  const stdout = createBoundedBuffer(max);
  const stderr = createBoundedBuffer(max);
  const child = spawn(file, args, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const listeners: Array<(chunk: string) => void> = [];
  let exitInfo: ExitInfo | undefined;
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      if (child.pid !== undefined) livePids.delete(child.pid);
      resolve(exitInfo);
    });
    child.once('error', (err) => {
      output.push(`\n[harness] spawn error: ${String(err)}\n`);
      exitInfo = { code: -1, signal: null };
      resolve(exitInfo);
    });
  });
  if (child.pid === undefined) {
    // spawn failed synchronously (e.g. ENOENT); 'error' follows and resolves `exited`.
  } else {
    livePids.add(child.pid);
  }
  child.stdout.on('data', (d: Buffer) => {
    const s = d.toString('utf8');
    stdout.push(s);
    output.push(s);
    for (const l of listeners) l(s);
  });
  child.stderr.on('data', (d: Buffer) => {
    const s = d.toString('utf8');
    stderr.push(s);
    output.push(s);
  });
  const pid = child.pid ?? -1;

  const waitExit = (ms: number): Promise<boolean> =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);

  return {
    pid,
    output,
    stdout,
    stderr,
    exited,
    get exitInfo() {
      return exitInfo;
    },
    onStdout: (l) => void listeners.push(l),
    async stop(o = {}) {
      if (pid > 0 && !exitInfo) {
        try {
          process.kill(pid, o.signal ?? 'SIGINT');
        } catch {
          // Exited in between.
        }
        if (!(await waitExit(o.graceMs ?? 10_000))) {
          output.push('\n[harness] graceful stop timed out; sending SIGKILL\n');
          killGroup(pid, 'SIGKILL', !exitInfo);
          await waitExit(5_000);
        }
      }
      // Tool commands started by OpenCode (e.g. a `sleep` of an aborted bash call) can outlive it.
      if (pid > 0) killGroup(pid, 'SIGKILL', false);
      return exitInfo ?? (await exited);
    },
  };
}
