/**
 * One entry point over the platform scanners: every process (or the selected ones) with its listening TCP
 * sockets, and whatever else the platform lets us read.
 */
import { scanDarwinProcesses, scanWin32Processes } from './commandScan.js';
import type { CommandRunner } from './commandScan.js';
import { scanLinuxProcesses } from './procScan.js';
import type { DiscoveryPlatform, ProcessScan, ScanOptions } from '../types.js';

export interface ListProcessesOptions extends ScanOptions {
  /** Linux: where /proc is mounted (tests pass a fixture tree). */
  readonly procRoot?: string;
  /** macOS / Windows: how commands run (tests pass canned output). */
  readonly run?: CommandRunner;
}

export function isDiscoveryPlatform(platform: string): platform is DiscoveryPlatform {
  return platform === 'linux' || platform === 'darwin' || platform === 'win32';
}

export async function listListeningProcesses(platform: string, opts: ListProcessesOptions = {}): Promise<ProcessScan> {
  const base: ScanOptions = {
    ...(opts.select ? { select: opts.select } : {}),
    ...(opts.readEnvironment !== undefined ? { readEnvironment: opts.readEnvironment } : {}),
  };
  switch (platform) {
    case 'linux':
      return scanLinuxProcesses({ ...base, ...(opts.procRoot ? { procRoot: opts.procRoot } : {}) });
    case 'darwin':
      return scanDarwinProcesses({ ...base, ...(opts.run ? { run: opts.run } : {}) });
    case 'win32':
      return scanWin32Processes({ ...base, ...(opts.run ? { run: opts.run } : {}) });
    default:
      return {
        processes: [],
        skipped: { vanished: 0, unreadable: 0 },
        problems: [{ code: 'source.unreadable', message: `process discovery is not supported on ${platform}; list instances by URL in the config`, source: platform }],
      };
  }
}
