import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { CommandRunner } from '../discovery/index.js';
import { parseMacTty, parsePsTtyOutput, ttyOfPid } from './macTty.js';

const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');

describe('parseMacTty', () => {
  it('accepts the device path and the short forms ps prints', () => {
    expect(parseMacTty('/dev/ttys003')).toEqual({ ok: true, value: '/dev/ttys003' });
    expect(parseMacTty(' ttys017 ')).toEqual({ ok: true, value: '/dev/ttys017' });
    expect(parseMacTty('s000')).toEqual({ ok: true, value: '/dev/ttys000' });
    // ps ends its line with a newline and pads with spaces: surrounding whitespace is trimmed, inner is not.
    expect(parseMacTty('/dev/ttys003\n')).toEqual({ ok: true, value: '/dev/ttys003' });
  });

  it.each([
    '',
    '??',
    'console',
    '/dev/tty',
    '/dev/ttys',
    '/dev/../etc/passwd',
    '/dev/ttys1"\ndo shell script "touch /tmp/pwned',
    '/dev/ttys1" & (do shell script "id") & "',
    'ttys1234567',
    '/dev/ttys 003',
    '/dev/ttys003; x',
  ])('rejects %j', (raw) => {
    const result = parseMacTty(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problem.code).toBe('config.invalid-argument');
  });
});

describe('parsePsTtyOutput (fixtures of `ps -o tty= -p <pid>` on macOS)', () => {
  it('reads the terminal of a process in a terminal tab', () => {
    expect(parsePsTtyOutput(fixture('darwin-ps-tty.txt'))).toBe('/dev/ttys003');
  });
  it('reads the abbreviated form', () => {
    expect(parsePsTtyOutput(fixture('darwin-ps-tt-abbrev.txt'))).toBe('/dev/ttys012');
  });
  it('has no terminal for a detached process (??), the console, or a process that is gone', () => {
    expect(parsePsTtyOutput(fixture('darwin-ps-tty-none.txt'))).toBeUndefined();
    expect(parsePsTtyOutput(fixture('darwin-ps-tty-console.txt'))).toBeUndefined();
    expect(parsePsTtyOutput(fixture('darwin-ps-tty-gone.txt'))).toBeUndefined();
  });
});

describe('ttyOfPid', () => {
  it('runs ps for that pid only and parses the answer', async () => {
    const calls: Array<[string, readonly string[]]> = [];
    const run: CommandRunner = async (file, args) => {
      calls.push([file, args]);
      return { ok: true, value: fixture('darwin-ps-tty.txt') };
    };
    expect(await ttyOfPid(48213, run)).toEqual({ ok: true, value: '/dev/ttys003' });
    expect(calls).toEqual([['ps', ['-o', 'tty=', '-p', '48213']]]);
  });

  it('refuses a pid that is not a positive integer without running anything', async () => {
    let ran = false;
    const run: CommandRunner = async () => {
      ran = true;
      return { ok: true, value: '' };
    };
    for (const pid of [0, -1, 1.5, Number.NaN]) {
      const result = await ttyOfPid(pid, run);
      expect(result.ok).toBe(false);
    }
    expect(ran).toBe(false);
  });

  it('passes a failing ps through as a problem', async () => {
    const run: CommandRunner = async () => ({ ok: false, problem: { code: 'source.unreadable', message: 'ps failed: timed out after 5000 ms' } });
    const result = await ttyOfPid(42, run);
    expect(result).toEqual({ ok: false, problem: { code: 'source.unreadable', message: 'ps failed: timed out after 5000 ms' } });
  });
});
