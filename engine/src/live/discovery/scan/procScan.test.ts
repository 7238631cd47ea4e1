import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { scanLinuxProcesses } from './procScan.js';

/** A fake /proc tree: per-pid comm/cmdline/environ files, exe/cwd links, fd links to `socket:[inode]`. */
interface FakeProcess {
  pid: number;
  comm: string;
  argv: string[];
  exe?: string;
  cwd?: string;
  env?: Record<string, string>;
  /** fd link targets, e.g. 'socket:[41234]', '/dev/null'. */
  fds?: string[];
}

async function buildProcTree(processes: FakeProcess[], tables: { tcp?: string; tcp6?: string }): Promise<string> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-proc-'));
  await fs.mkdir(path.join(root, 'net'));
  if (tables.tcp !== undefined) await fs.writeFile(path.join(root, 'net', 'tcp'), tables.tcp);
  if (tables.tcp6 !== undefined) await fs.writeFile(path.join(root, 'net', 'tcp6'), tables.tcp6);
  for (const p of processes) {
    const dir = path.join(root, String(p.pid));
    await fs.mkdir(path.join(dir, 'fd'), { recursive: true });
    await fs.writeFile(path.join(dir, 'comm'), `${p.comm}\n`);
    await fs.writeFile(path.join(dir, 'cmdline'), p.argv.map((a) => `${a}\0`).join(''));
    const env = Object.entries(p.env ?? {}).map(([k, v]) => `${k}=${v}\0`).join('');
    await fs.writeFile(path.join(dir, 'environ'), env);
    if (p.exe !== undefined) await fs.symlink(p.exe, path.join(dir, 'exe'));
    if (p.cwd !== undefined) await fs.symlink(p.cwd, path.join(dir, 'cwd'));
    for (const [i, target] of (p.fds ?? []).entries()) await fs.symlink(target, path.join(dir, 'fd', String(i)));
  }
  return root;
}

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');
const tables = { tcp: fixture('proc-net-tcp.txt'), tcp6: fixture('proc-net-tcp6.txt') };
const roots: string[] = [];
afterEach(async () => {
  for (const r of roots.splice(0)) await fs.rm(r, { recursive: true, force: true });
});
const tree = async (ps: FakeProcess[], t: { tcp?: string; tcp6?: string } = tables): Promise<string> => {
  const root = await buildProcTree(ps, t);
  roots.push(root);
  return root;
};

const SERVE: FakeProcess = {
  pid: 4242,
  comm: 'opencode',
  argv: ['/opt/oc/bin/opencode', 'serve', '--port', '0'],
  exe: '/opt/oc/bin/opencode',
  cwd: '/home/u/project',
  env: { HOME: '/home/u', OPENCODE_SERVER_PASSWORD: 'pw=1' },
  fds: ['/dev/null', 'pipe:[77]', 'socket:[41234]', 'socket:[52001]', 'socket:[42001]', 'anon_inode:[eventpoll]'],
};
const OTHER: FakeProcess = { pid: 17, comm: 'python3', argv: ['python3', '-m', 'http.server'], exe: '/usr/bin/python3.11', cwd: '/', fds: ['socket:[18811]'] };

describe('scanLinuxProcesses', () => {
  it('joins fd socket inodes with LISTEN rows and reads argv, exe, cwd and environ', async () => {
    const root = await tree([SERVE, OTHER]);
    const scan = await scanLinuxProcesses({ procRoot: root, endianness: 'LE' });
    expect(scan.problems).toEqual([]);
    const serve = scan.processes.find((p) => p.pid === 4242);
    expect(serve).toEqual({
      pid: 4242,
      name: 'opencode',
      exe: '/opt/oc/bin/opencode',
      argv: ['/opt/oc/bin/opencode', 'serve', '--port', '0'],
      cwd: '/home/u/project',
      env: { HOME: '/home/u', OPENCODE_SERVER_PASSWORD: 'pw=1' },
      // 42001 is an established connection, not a listener.
      listening: [
        { address: '127.0.0.1', port: 4096 },
        { address: '::1', port: 4097 },
      ],
    });
    expect(scan.processes.find((p) => p.pid === 17)?.listening).toEqual([{ address: '0.0.0.0', port: 2024 }]);
  });

  it('reads cwd, environ and sockets only for selected processes, and no environ when told not to', async () => {
    const root = await tree([SERVE, OTHER]);
    const scan = await scanLinuxProcesses({ procRoot: root, select: (id) => id.name === 'opencode', readEnvironment: false });
    expect(scan.processes.map((p) => p.pid)).toEqual([4242]);
    expect(scan.processes[0]?.env).toBeUndefined();
    expect(scan.processes[0]?.listening).toHaveLength(2);
  });

  it('skips and counts processes that vanished or cannot be read, without failing the scan', async () => {
    const root = await tree([SERVE, OTHER]);
    await fs.mkdir(path.join(root, '999')); // pid dir whose files are already gone
    await fs.mkdir(path.join(root, '1000', 'comm'), { recursive: true }); // comm unreadable (EISDIR stands in for EACCES)
    await fs.mkdir(path.join(root, 'self'), { recursive: true }); // non-numeric entries are not processes
    const scan = await scanLinuxProcesses({ procRoot: root });
    expect(scan.processes.map((p) => p.pid).sort()).toEqual([17, 4242]);
    expect(scan.skipped).toEqual({ vanished: 1, unreadable: 1 });
  });

  it('reports an unreadable socket table as a problem and still lists processes', async () => {
    const root = await tree([SERVE], { tcp6: tables.tcp6 });
    const scan = await scanLinuxProcesses({ procRoot: root });
    expect(scan.problems.map((p) => p.code)).toEqual(['source.unreadable']);
    expect(scan.problems[0]?.source).toBe(path.join(root, 'net', 'tcp'));
    expect(scan.processes[0]?.listening).toEqual([{ address: '::1', port: 4097 }]);
  });

  it('reports a selected process whose fd list cannot be read, keeping what it knows', async () => {
    const root = await tree([SERVE]);
    await fs.rm(path.join(root, '4242', 'fd'), { recursive: true });
    await fs.writeFile(path.join(root, '4242', 'fd'), 'not a directory');
    const scan = await scanLinuxProcesses({ procRoot: root });
    expect(scan.problems).toHaveLength(1);
    expect(scan.problems[0]).toMatchObject({ code: 'source.unreadable', source: path.join(root, '4242', 'fd') });
    expect(scan.processes[0]).toMatchObject({ pid: 4242, cwd: '/home/u/project', listening: [] });
  });

  it('returns a problem, not an exception, when the proc root is missing', async () => {
    const scan = await scanLinuxProcesses({ procRoot: '/nonexistent/proc-root' });
    expect(scan.processes).toEqual([]);
    expect(scan.problems[0]?.code).toBe('source.unreadable');
  });

  it('reads the real /proc of this machine and finds this test process', async () => {
    const scan = await scanLinuxProcesses({ select: (id) => id.argv.length > 0 });
    expect(scan.processes.some((p) => p.pid === process.pid)).toBe(true);
  });
});
