import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { joinDarwinProcesses, parseLsofCwd, parseLsofFields, parseLsofTable, parsePs } from './darwinParse.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('lsof -Fpcn', () => {
  it('groups listeners per process, deduping the same socket seen on two fds', () => {
    expect(parseLsofFields(fixture('darwin-lsof-fields.txt'))).toEqual([
      { pid: 612, command: 'launchd', listening: [{ address: '0.0.0.0', port: 22 }] },
      {
        pid: 48213,
        command: 'opencode',
        listening: [
          { address: '127.0.0.1', port: 4096 },
          { address: '::1', port: 4096 },
        ],
      },
      { pid: 50120, command: 'node', listening: [{ address: '0.0.0.0', port: 3000 }] },
      { pid: 51777, command: '.opencode', listening: [{ address: '127.0.0.1', port: 53122 }] },
      { pid: 51790, command: 'opencode-darwin-arm64', listening: [{ address: '0.0.0.0', port: 41001 }] },
    ]);
  });
});

describe('lsof tabular', () => {
  it('reads rows, IPv6 wildcards and escaped command names', () => {
    const rows = parseLsofTable(fixture('darwin-lsof-table.txt'));
    expect(rows.map((r) => r.pid)).toEqual([612, 48213, 50120, 50301]);
    expect(rows[0]?.listening).toEqual([
      { address: '0.0.0.0', port: 49152 },
      { address: '::', port: 49152 },
    ]);
    expect(rows[1]?.listening).toEqual([
      { address: '127.0.0.1', port: 4096 },
      { address: '::1', port: 4096 },
    ]);
    expect(rows[3]?.command).toBe('Code H');
  });
});

describe('ps and cwd', () => {
  it('parses pid, ppid and the command split into words', () => {
    const rows = parsePs(fixture('darwin-ps.txt'));
    expect(rows).toHaveLength(10);
    expect(rows[2]).toEqual({ pid: 48213, ppid: 48190, argv: ['/Users/alice/.opencode/bin/opencode', 'serve', '--port', '4096'] });
  });

  it('reads working directories, spaces included', () => {
    const cwds = parseLsofCwd(fixture('darwin-lsof-cwd.txt'));
    expect(cwds.get(48213)).toBe('/Users/alice/src/my project');
    expect(cwds.size).toBe(3);
  });

  it('joins ps, lsof and cwd into process records', () => {
    const procs = joinDarwinProcesses(parsePs(fixture('darwin-ps.txt')), parseLsofFields(fixture('darwin-lsof-fields.txt')), parseLsofCwd(fixture('darwin-lsof-cwd.txt')));
    expect(procs.find((p) => p.pid === 48213)).toEqual({
      pid: 48213,
      ppid: 48190,
      name: 'opencode',
      argv: ['/Users/alice/.opencode/bin/opencode', 'serve', '--port', '4096'],
      cwd: '/Users/alice/src/my project',
      listening: [
        { address: '127.0.0.1', port: 4096 },
        { address: '::1', port: 4096 },
      ],
    });
    // A TUI without a port still appears, named after its executable.
    expect(procs.find((p) => p.pid === 52000)).toMatchObject({ name: 'opencode', listening: [], cwd: '/Users/alice/src/tui-only' });
  });
});
