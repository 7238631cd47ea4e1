/**
 * Runs a plain `opencode run "<prompt>"` (headless, no port) in a harness sandbox and reports how it ended.
 */
import { resolveOpencodeBinary } from './opencodeBinary.js';
import { removeAtExit, spawnManaged } from './managedProcess.js';
import { createSandbox } from './sandbox.js';
import type { SandboxOptions } from './sandbox.js';

export interface RunOpencodeOptions extends SandboxOptions {
  prompt: string;
  /** `--format json` prints one JSON event per line. @default 'default' */
  format?: 'default' | 'json';
  /** Extra CLI arguments placed before the prompt (e.g. ['--model', 'fake-anthropic/fake-model']). */
  args?: string[];
  /** Killed (SIGINT, then SIGKILL) after this long. @default 90000 */
  timeoutMs?: number;
  /** Keep the sandbox even after dispose(). @default false */
  keep?: boolean;
  binary?: string;
}

export interface RunOpencodeResult {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  home: string;
  dataDir: string;
  dbPath: string;
  projectDir: string;
  /**
   * Removes the sandbox (no-op with `keep`). The sandbox outlives the run so the caller can read the DB; call this
   * when done (it is also removed at process exit). Shared `dataHome`/`projectDir` are never removed.
   */
  dispose(): Promise<void>;
}

export async function runOpencode(opts: RunOpencodeOptions): Promise<RunOpencodeResult> {
  const sandbox = await createSandbox(opts);
  const exitNet = opts.keep ? undefined : removeAtExit(sandbox.home);
  const args = ['run', ...(opts.format === 'json' ? ['--format', 'json'] : []), ...(opts.args ?? []), opts.prompt];
  const proc = spawnManaged(opts.binary ?? resolveOpencodeBinary(), args, { cwd: sandbox.projectDir, env: sandbox.env });
  const timeoutMs = opts.timeoutMs ?? 90_000;
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void proc.stop({ signal: 'SIGINT', graceMs: 5_000 });
  }, timeoutMs);
  const info = await proc.exited;
  clearTimeout(timer);
  // Reap any tool command the run left behind in its process group.
  await proc.stop();
  let disposed = false;
  return {
    exitCode: info.code,
    signal: info.signal,
    timedOut,
    stdout: proc.stdout.text(),
    stderr: proc.stderr.text(),
    home: sandbox.home,
    dataDir: sandbox.dataDir,
    dbPath: sandbox.dbPath,
    projectDir: sandbox.projectDir,
    dispose: async () => {
      if (disposed || opts.keep) return;
      disposed = true;
      await sandbox.remove();
      exitNet?.forget();
    },
  };
}
