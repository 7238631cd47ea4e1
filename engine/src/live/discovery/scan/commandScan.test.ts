import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createExecRunner } from './commandScan.js';
import type { CommandRunner } from './commandScan.js';
import { isOpencodeProcess } from '../identify.js';
import { listListeningProcesses } from './processes.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

/** Answers each command with a fixture, and records what ran. */
function cannedRunner(answers: Record<string, string | undefined>): CommandRunner & { calls: string[] } {
  const calls: string[] = [];
  const run = async (file: string, args: readonly string[]) => {
    const line = [file, ...args].join(' ');
    calls.push(line);
    const key = Object.keys(answers).find((k) => line.startsWith(k));
    const out = key === undefined ? undefined : answers[key];
    return out === undefined
      ? { ok: false as const, problem: { code: 'source.unreadable' as const, message: `${file} failed`, source: line } }
      : { ok: true as const, value: out };
  };
  return Object.assign(run, { calls });
}

describe('macOS scan', () => {
  it('joins ps and lsof, and asks lsof for cwds of the selected processes only', async () => {
    const run = cannedRunner({
      'lsof -nP': fixture('darwin-lsof-fields.txt'),
      ps: fixture('darwin-ps.txt'),
      'lsof -a -d cwd': fixture('darwin-lsof-cwd.txt'),
    });
    const scan = await listListeningProcesses('darwin', { run, select: isOpencodeProcess });
    expect(scan.problems).toEqual([]);
    expect(scan.processes.map((p) => p.pid)).toEqual([48213, 51777, 51790, 51789, 52000]);
    expect(run.calls.at(-1)).toBe('lsof -a -d cwd -Fn -p 48213,51777,51790,51789,52000');
    expect(scan.processes[0]).toMatchObject({ cwd: '/Users/alice/src/my project', listening: [{ port: 4096 }, { port: 4096 }] });
  });

  it('degrades to a problem when lsof fails and to an empty scan when ps fails', async () => {
    const noLsof = await listListeningProcesses('darwin', { run: cannedRunner({ ps: fixture('darwin-ps.txt') }), select: isOpencodeProcess });
    expect(noLsof.problems.map((p) => p.code)).toEqual(['source.unreadable', 'source.unreadable']);
    expect(noLsof.processes.every((p) => p.listening.length === 0)).toBe(true);
    const noPs = await listListeningProcesses('darwin', { run: cannedRunner({}) });
    expect(noPs.processes).toEqual([]);
    expect(noPs.problems).toHaveLength(1);
  });
});

describe('Windows scan', () => {
  it('joins tasklist with IPv4 and IPv6 netstat', async () => {
    const run = cannedRunner({
      tasklist: fixture('win32-tasklist.csv'),
      'netstat -ano -p TCP ': undefined,
      'netstat -ano -p TCPv6': fixture('win32-netstat.txt'),
    });
    // Only the TCPv6 call answers: its rows still arrive, and the failed call is one problem.
    const scan = await listListeningProcesses('win32', { run, select: isOpencodeProcess });
    expect(scan.processes.map((p) => [p.pid, p.name])).toEqual([
      [12345, 'opencode.exe'],
      [12399, 'opencode-windows-x64.exe'],
    ]);
    expect(scan.processes[1]?.listening).toEqual([{ address: '::1', port: 4097 }]);
    expect(scan.problems).toHaveLength(1);
  });
});

describe('other platforms and the exec runner', () => {
  it('returns a problem for an unsupported platform', async () => {
    const scan = await listListeningProcesses('aix');
    expect(scan.problems[0]?.message).toMatch(/not supported on aix/);
  });

  it('runs a real command and reports a missing one as data', async () => {
    const run = createExecRunner(5_000);
    const echo = await run(process.execPath, ['-e', 'process.stdout.write("hi")']);
    expect(echo).toEqual({ ok: true, value: 'hi' });
    const missing = await run('/nonexistent/tool-for-discovery-test', []);
    expect(missing.ok).toBe(false);
    // Exit 1 with nothing said is "found nothing" (lsof); exit 1 with an error message is a failure.
    expect(await run(process.execPath, ['-e', 'process.exit(1)'])).toEqual({ ok: true, value: '' });
    const failed = await run(process.execPath, ['-e', 'console.error("bad option"); process.exit(1)']);
    expect(failed.ok ? 'ok' : failed.problem.code).toBe('source.unreadable');
    const slow = await createExecRunner(300)(process.execPath, ['-e', 'setTimeout(() => {}, 20000)']);
    expect(slow.ok ? 'ok' : slow.problem.message).toMatch(/timed out after 300 ms/);
  });
});
