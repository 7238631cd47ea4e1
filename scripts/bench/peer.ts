/**
 * (f) The peer: `ccusage opencode daily --json --offline` (ccusage 20.0.24, its native binary from the registry
 * package) over the same corpus, and the cross-check of its token totals with the engine's and the manifest's.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { runMeasured, tail, type RunResult } from './child.js';

import type { TokenTotals } from '../../tests/corpus/stats.js';

export type { TokenTotals };

export interface PeerResult {
  readonly run: RunResult;
  readonly version: string;
  /** The command timed: the native binary, without the npm wrapper's Node start-up. */
  readonly command: string;
  readonly tokens: TokenTotals;
  readonly days: number;
}

interface CcusageDay {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheCreationTokens: number;
  totalTokens: number;
}

export const CCUSAGE_VERSION = '20.0.24';

/** The native binary the `ccusage` npm wrapper would start (it ships in @ccusage/ccusage-<platform>-<arch>). */
export function ccusageBinary(repoRoot: string): string {
  const require = createRequire(path.join(repoRoot, 'package.json'));
  const version = (require('ccusage/package.json') as { version: string }).version;
  if (version !== CCUSAGE_VERSION) throw new Error(`ccusage ${version} is installed; the benchmark pins ${CCUSAGE_VERSION} (npm install)`);
  const binary = require.resolve(`@ccusage/ccusage-${process.platform}-${process.arch}/bin/ccusage`);
  try {
    fs.accessSync(binary, fs.constants.X_OK);
  } catch {
    // The registry package ships the binary without its execute bit (npm 11 installs it 0644); the wrapper's
    // cli.js sets 0755 before its first run, so we do what it does.
    fs.chmodSync(binary, 0o755);
    fs.accessSync(binary, fs.constants.X_OK);
  }
  return binary;
}

/**
 * Sums the days. ccusage has no reasoning column, but its totalTokens includes reasoning, so reasoning is the
 * difference (its output excludes it, as OpenCode's does).
 */
export function ccusageTotals(days: readonly CcusageDay[]): TokenTotals {
  const t = { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0, total: 0 };
  for (const d of days) {
    t.input += d.inputTokens;
    t.output += d.outputTokens;
    t.cacheRead += d.cacheReadTokens;
    t.cacheWrite += d.cacheCreationTokens;
    t.total += d.totalTokens;
  }
  t.reasoning = t.total - t.input - t.output - t.cacheRead - t.cacheWrite;
  return t;
}

/**
 * Runs ccusage with XDG_DATA_HOME = `xdgDataHome` (whose `opencode/` is the corpus) and a throwaway HOME and
 * config dir, so it reads nothing of this machine's own agents.
 */
export async function measurePeer(repoRoot: string, xdgDataHome: string, timeoutMs: number): Promise<PeerResult> {
  const binary = ccusageBinary(repoRoot);
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'ocm-bench-ccusage-home-'));
  try {
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, XDG_CONFIG_HOME: path.join(home, '.config'), XDG_DATA_HOME: xdgDataHome, TZ: 'UTC' };
    const args = ['opencode', 'daily', '--json', '--offline'];
    const run = await runMeasured(binary, args, { cwd: home, env, timeoutMs });
    if (run.exitCode !== 0) throw new Error(`ccusage exited with ${run.exitCode ?? run.signal}${run.timedOut ? ' (timed out)' : ''}:\n${tail(run.stderr)}`);
    const report = JSON.parse(run.stdout) as { daily?: CcusageDay[] };
    if (!Array.isArray(report.daily)) throw new Error(`ccusage printed no "daily" array:\n${run.stdout.slice(0, 500)}`);
    return { run, version: CCUSAGE_VERSION, command: `ccusage ${args.join(' ')}`, tokens: ccusageTotals(report.daily), days: report.daily.length };
  } finally {
    fs.rmSync(home, { recursive: true, force: true });
  }
}
