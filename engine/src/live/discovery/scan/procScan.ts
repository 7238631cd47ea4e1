/**
 * The Linux process scanner: reads /proc (root injectable, so tests run on a fixture tree) and joins each
 * selected process's socket inodes with the LISTEN rows of net/tcp and net/tcp6. Processes that vanish or that
 * we may not read are skipped and counted; only problems that hide a selected process's ports are reported.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Problem } from '../../../../../shared/src/index.js';
import { mapWithConcurrency } from '../concurrency.js';
import { parseComm, parseEnviron, parseExeLink, parseProcNetTcp, socketInode, splitCmdline } from './procParse.js';
import type { ListenSocket, ProcessInfo, ProcessScan, ScanOptions } from '../types.js';

export interface LinuxScanOptions extends ScanOptions {
  /** @default '/proc' */
  readonly procRoot?: string;
  /** Byte order the kernel wrote the socket tables in. @default the host's */
  readonly endianness?: 'LE' | 'BE';
}

/** Per-process reads are tiny; a few in flight hide /proc latency without hogging file descriptors. */
const READ_CONCURRENCY = 16;

type ReadOutcome<T> = { ok: true; value: T } | { ok: false; why: 'vanished' | 'unreadable' };

function classify(err: unknown): 'vanished' | 'unreadable' {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ESRCH' ? 'vanished' : 'unreadable';
}

async function attempt<T>(read: () => Promise<T>): Promise<ReadOutcome<T>> {
  try {
    return { ok: true, value: await read() };
  } catch (err) {
    return { ok: false, why: classify(err) };
  }
}

const optional = async <T>(read: () => Promise<T>): Promise<T | undefined> => {
  const r = await attempt(read);
  return r.ok ? r.value : undefined;
};

/** LISTEN sockets by inode. A missing tcp6 table only means IPv6 is off; a missing tcp table is a problem. */
async function readListenTable(procRoot: string, endianness: 'LE' | 'BE', problems: Problem[]): Promise<Map<string, ListenSocket>> {
  const table = new Map<string, ListenSocket>();
  for (const name of ['tcp', 'tcp6']) {
    const file = path.join(procRoot, 'net', name);
    const read = await attempt(() => fs.readFile(file, 'utf8'));
    if (!read.ok) {
      if (name === 'tcp' || read.why === 'unreadable') {
        problems.push({ code: 'source.unreadable', message: `cannot read the TCP socket table (${read.why}); listening ports are unknown`, source: file });
      }
      continue;
    }
    for (const row of parseProcNetTcp(read.value, endianness)) table.set(row.inode, { address: row.address, port: row.port });
  }
  return table;
}

async function socketInodes(fdDir: string): Promise<ReadOutcome<string[]>> {
  const names = await attempt(() => fs.readdir(fdDir));
  if (!names.ok) return names;
  const links = await Promise.all(names.value.map((n) => optional(() => fs.readlink(path.join(fdDir, n)))));
  const inodes: string[] = [];
  for (const link of links) {
    const inode = link === undefined ? undefined : socketInode(link);
    if (inode !== undefined) inodes.push(inode);
  }
  return { ok: true, value: inodes };
}

type PidOutcome = { kind: 'process'; info: ProcessInfo } | { kind: 'skipped' } | { kind: 'vanished' } | { kind: 'unreadable' } | { kind: 'problem'; info: ProcessInfo; problem: Problem };

async function scanPid(
  procRoot: string,
  pid: number,
  opts: LinuxScanOptions,
  listenTable: () => Promise<Map<string, ListenSocket>>,
): Promise<PidOutcome> {
  const dir = path.join(procRoot, String(pid));
  const comm = await attempt(() => fs.readFile(path.join(dir, 'comm'), 'utf8'));
  if (!comm.ok) return { kind: comm.why };
  const cmdline = await attempt(() => fs.readFile(path.join(dir, 'cmdline'), 'utf8'));
  if (!cmdline.ok) return { kind: cmdline.why };
  // exe is root-only for other users' processes; comm and argv still identify them.
  const exeLink = await optional(() => fs.readlink(path.join(dir, 'exe')));
  const identity = {
    name: parseComm(comm.value),
    argv: splitCmdline(cmdline.value),
    ...(exeLink !== undefined ? { exe: parseExeLink(exeLink) } : {}),
  };
  if (opts.select && !opts.select(identity)) return { kind: 'skipped' };

  const cwd = await optional(() => fs.readlink(path.join(dir, 'cwd')));
  const environ = opts.readEnvironment === false ? undefined : await optional(() => fs.readFile(path.join(dir, 'environ'), 'utf8'));
  const inodes = await socketInodes(path.join(dir, 'fd'));
  const table = await listenTable();
  const listening = inodes.ok ? inodes.value.flatMap((i) => table.get(i) ?? []) : [];
  const info: ProcessInfo = {
    pid,
    ...identity,
    ...(cwd !== undefined ? { cwd } : {}),
    ...(environ !== undefined ? { env: parseEnviron(environ) } : {}),
    listening,
  };
  if (!inodes.ok && inodes.why === 'vanished') return { kind: 'vanished' };
  if (!inodes.ok) {
    const problem: Problem = {
      code: 'source.unreadable',
      message: `cannot list the open sockets of pid ${pid} (another user's process?); its ports are unknown`,
      source: path.join(dir, 'fd'),
    };
    return { kind: 'problem', info, problem };
  }
  return { kind: 'process', info };
}

export async function scanLinuxProcesses(opts: LinuxScanOptions = {}): Promise<ProcessScan> {
  const procRoot = opts.procRoot ?? '/proc';
  const endianness = opts.endianness ?? (os.endianness() === 'LE' ? 'LE' : 'BE');
  const problems: Problem[] = [];
  const entries = await attempt(() => fs.readdir(procRoot));
  if (!entries.ok) {
    problems.push({ code: 'source.unreadable', message: 'cannot list processes', source: procRoot });
    return { processes: [], skipped: { vanished: 0, unreadable: 0 }, problems };
  }
  // Read the socket tables once, and only when some process was selected.
  let tablePromise: Promise<Map<string, ListenSocket>> | undefined;
  const listenTable = (): Promise<Map<string, ListenSocket>> => (tablePromise ??= readListenTable(procRoot, endianness, problems));

  const pids = entries.value.filter((n) => /^\d+$/.test(n)).map(Number);
  const outcomes = await mapWithConcurrency(pids, READ_CONCURRENCY, (pid) => scanPid(procRoot, pid, opts, listenTable));
  const processes: ProcessInfo[] = [];
  const skipped = { vanished: 0, unreadable: 0 };
  for (const o of outcomes) {
    if (o.kind === 'process') processes.push(o.info);
    else if (o.kind === 'problem') {
      processes.push(o.info);
      problems.push(o.problem);
    } else if (o.kind === 'vanished' || o.kind === 'unreadable') skipped[o.kind]++;
  }
  return { processes, skipped, problems };
}
