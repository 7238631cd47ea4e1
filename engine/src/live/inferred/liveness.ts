/**
 * Whether an OpenCode process still works in a session's directory. The input has the shape of a discovery
 * round's `processes` (engine/src/live/discovery), taken structurally so this module does not depend on it.
 */
import { resolve } from 'node:path';

export interface ProcessWithCwd {
  readonly pid: number;
  readonly cwd?: string;
  /** Discovery's mode; an `attach` process is a client of another process's server and runs no agent. */
  readonly mode?: string;
}

/**
 * A predicate for `InferOptions.processAlive`: true when some OpenCode process has the directory as its cwd.
 * When the platform could not tell some process's cwd (Windows tasklist shows none), absence proves nothing,
 * so every directory counts as alive and only the no-activity rule can mark a turn stale.
 */
export function processAliveForDirectory(processes: readonly ProcessWithCwd[], platform: NodeJS.Platform = process.platform): (directory: string) => boolean {
  const agents = processes.filter((p) => p.mode !== 'attach');
  if (agents.some((p) => p.cwd === undefined || p.cwd === '')) return () => true;
  const key = (dir: string): string => {
    const normal = resolve(dir);
    // Windows and default macOS file systems ignore case, so a cwd and a stored directory may differ only in it.
    return platform === 'win32' || platform === 'darwin' ? normal.toLowerCase() : normal;
  };
  const cwds = new Set(agents.map((p) => key(p.cwd ?? '')));
  return (directory) => directory !== '' && cwds.has(key(directory));
}
