import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { joinWin32Processes, parseNetstat, parseTasklistCsv, splitCsvLine } from './win32Parse.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('netstat -ano', () => {
  it('keeps listening rows with their pid, IPv4 and IPv6 alike', () => {
    expect(parseNetstat(fixture('win32-netstat.txt'))).toEqual([
      { address: '0.0.0.0', port: 135, pid: 1016 },
      { address: '0.0.0.0', port: 445, pid: 4 },
      { address: '127.0.0.1', port: 4096, pid: 12345 },
      { address: '192.168.1.20', port: 139, pid: 4 },
      { address: '::', port: 135, pid: 1016 },
      { address: '::1', port: 4097, pid: 12399 },
      { address: 'fe80::1c2d:3e4f:5a6b:7c8d', port: 139, pid: 4 },
    ]);
  });

  it('recognises listeners on a German Windows by the foreign port 0', () => {
    expect(parseNetstat(fixture('win32-netstat-de.txt'))).toEqual([{ address: '127.0.0.1', port: 4096, pid: 12345 }]);
  });
});

describe('tasklist /FO CSV /NH', () => {
  it('parses quoted fields with commas inside', () => {
    expect(splitCsvLine('"System","4","Services","0","9,812 K"')).toEqual(['System', '4', 'Services', '0', '9,812 K']);
    expect(splitCsvLine('"a ""quoted"" name","1"')).toEqual(['a "quoted" name', '1']);
  });

  it('lists image names and pids, and joins listeners', () => {
    const tasks = parseTasklistCsv(fixture('win32-tasklist.csv'));
    expect(tasks.map((t) => t.name)).toContain('opencode.exe');
    expect(tasks.find((t) => t.pid === 13000)?.name).toBe('Code - Insiders.exe');
    const procs = joinWin32Processes(tasks, parseNetstat(fixture('win32-netstat.txt')));
    expect(procs.find((p) => p.pid === 12345)).toEqual({ pid: 12345, name: 'opencode.exe', argv: [], listening: [{ address: '127.0.0.1', port: 4096 }] });
    expect(procs.find((p) => p.pid === 12399)?.listening).toEqual([{ address: '::1', port: 4097 }]);
  });
});
