/**
 * The macOS and Windows scanners: run the platform's tools through an injectable runner (execFile with a
 * timeout by default) and hand their output to the pure parsers. A tool that fails becomes a Problem and an
 * empty or partial scan, never an exception.
 */
import { execFile } from 'node:child_process';
import type { Problem, Result } from '../../../../../shared/src/index.js';
import { joinDarwinProcesses, parseLsofCwd, parseLsofFields, parsePs } from './darwinParse.js';
import type { ProcessInfo, ProcessScan, ScanOptions } from '../types.js';
import { joinWin32Processes, parseNetstat, parseTasklistCsv } from './win32Parse.js';

/** Runs a command and yields its stdout. */
export type CommandRunner = (file: string, args: readonly string[]) => Promise<Result<string>>;

export interface CommandScanOptions extends ScanOptions {
  readonly run?: CommandRunner;
}

const MAX_OUTPUT_BYTES = 32 * 1024 * 1024;

export function createExecRunner(timeoutMs = 5_000): CommandRunner {
  return (file, args) =>
    new Promise((resolve) => {
      execFile(file, [...args], { timeout: timeoutMs, maxBuffer: MAX_OUTPUT_BYTES, windowsHide: true, encoding: 'utf8' }, (err, stdout, stderr) => {
        const exitCode = typeof (err as { code?: unknown } | null)?.code === 'number' ? (err as { code: number }).code : undefined;
        // lsof exits 1, silently, when it found nothing: an empty answer. lsof also exits 1 with output when one
        // of several processes could not be read; the rows it did print are still good.
        const emptyAnswer = exitCode === 1 && stderr.trim() === '';
        const partialAnswer = exitCode !== undefined && !(err as { killed?: boolean }).killed && stdout.length > 0;
        if (!err || emptyAnswer || partialAnswer) {
          resolve({ ok: true, value: stdout });
          return;
        }
        const why = (err as NodeJS.ErrnoException & { killed?: boolean }).killed ? `timed out after ${timeoutMs} ms` : err.message.split('\n')[0];
        resolve({ ok: false, problem: { code: 'source.unreadable', message: `${file} failed: ${why}`, source: [file, ...args].join(' ') } });
      });
    });
}

const EMPTY_SKIPPED = { vanished: 0, unreadable: 0 } as const;

function keep(processes: ProcessInfo[], opts: ScanOptions): ProcessInfo[] {
  return opts.select ? processes.filter((p) => opts.select?.(p)) : processes;
}

export async function scanDarwinProcesses(opts: CommandScanOptions = {}): Promise<ProcessScan> {
  const run = opts.run ?? createExecRunner();
  const problems: Problem[] = [];
  const [lsof, ps] = await Promise.all([run('lsof', ['-nP', '-iTCP', '-sTCP:LISTEN', '-Fpcn']), run('ps', ['-axo', 'pid=,ppid=,command='])]);
  if (!ps.ok) return { processes: [], skipped: EMPTY_SKIPPED, problems: [ps.problem] };
  if (!lsof.ok) problems.push(lsof.problem);
  const listeners = lsof.ok ? parseLsofFields(lsof.value) : [];
  const selected = keep(joinDarwinProcesses(parsePs(ps.value), listeners), opts);
  if (selected.length === 0) return { processes: [], skipped: EMPTY_SKIPPED, problems };
  // Working directories only for the processes we keep: one lsof call, not one per process.
  const cwdOut = await run('lsof', ['-a', '-d', 'cwd', '-Fn', '-p', selected.map((p) => p.pid).join(',')]);
  if (!cwdOut.ok) problems.push(cwdOut.problem);
  const cwds = cwdOut.ok ? parseLsofCwd(cwdOut.value) : new Map<number, string>();
  const processes = selected.map((p) => {
    const cwd = cwds.get(p.pid);
    return cwd === undefined ? p : { ...p, cwd };
  });
  return { processes, skipped: EMPTY_SKIPPED, problems };
}

export async function scanWin32Processes(opts: CommandScanOptions = {}): Promise<ProcessScan> {
  const run = opts.run ?? createExecRunner();
  const problems: Problem[] = [];
  const [tasks, tcp4, tcp6] = await Promise.all([
    run('tasklist', ['/FO', 'CSV', '/NH']),
    run('netstat', ['-ano', '-p', 'TCP']),
    run('netstat', ['-ano', '-p', 'TCPv6']),
  ]);
  if (!tasks.ok) return { processes: [], skipped: EMPTY_SKIPPED, problems: [tasks.problem] };
  for (const r of [tcp4, tcp6]) if (!r.ok) problems.push(r.problem);
  const listeners = [tcp4, tcp6].flatMap((r) => (r.ok ? parseNetstat(r.value) : []));
  return { processes: keep(joinWin32Processes(parseTasklistCsv(tasks.value), listeners), opts), skipped: EMPTY_SKIPPED, problems };
}
