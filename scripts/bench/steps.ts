/**
 * What every benchmark script does the same way: log lines on stderr, run a step so a failure is recorded and the
 * rest still measured, warn when the machine is already busy, on Ctrl-C stop what it started and leave, and give an engine under test
 * its own environment.
 */
import path from 'node:path';
import { cpuBusyPercent } from './figures.js';

export type Say = (line: string) => void;

/** A positive integer command-line option (`--name`), `fallback` when absent; a clear error when out of 1..max. */
export function intOption(value: string | undefined, fallback: number, name: string, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  const x = Number(value);
  if (!Number.isInteger(x) || x < 1 || x > max) throw new Error(`--${name} must be an integer from 1 to ${max}, got "${value}"`);
  return x;
}

export const sayer = (prefix: string): Say => (line) => process.stderr.write(`${prefix}: ${line}\n`);

/** Runs one step; a failure is recorded in `errors` and the benchmark goes on with what it can still measure. */
export async function step<T>(say: Say, name: string, errors: string[], run: () => Promise<T>): Promise<T | null> {
  say(name);
  try {
    return await run();
  } catch (error) {
    errors.push(`${name}: ${(error as Error).message}`);
    say(`${name} failed: ${(error as Error).message}`);
    return null;
  }
}

/** The CPUs' busy share just before the run (null when unknown), said aloud when it will skew the figures. */
export async function busyBeforeRun(say: Say): Promise<number | null> {
  const busy = await cpuBusyPercent();
  if (busy !== null && busy > 10) say(`the CPUs are ${busy}% busy before the run: other work on this machine will skew the figures`);
  return busy;
}

/** On SIGINT/SIGTERM: say so, run `cleanUp` (stop our own children, remove temporary files), exit 130. */
export function onInterrupt(say: Say, what: string, cleanUp: () => Promise<unknown>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      say(`${signal}: ${what}`);
      void cleanUp().finally(() => process.exit(130));
    });
  }
}

/** The environment an engine under test runs in: no OPENCODE_DB from this shell, config and state under `tmp`. */
export function engineEnv(tmp: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, XDG_CONFIG_HOME: path.join(tmp, 'config'), XDG_STATE_HOME: path.join(tmp, 'state-home') };
  delete env['OPENCODE_DB'];
  return env;
}
