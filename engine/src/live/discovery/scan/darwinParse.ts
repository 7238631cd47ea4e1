/**
 * Pure parsers for the macOS tools discovery runs: `lsof -nP -iTCP -sTCP:LISTEN -Fpcn` (or its tabular form),
 * `ps -axo pid=,ppid=,command=`, and `lsof -a -d cwd -Fn -p …` for working directories. Joining them yields the
 * same ProcessInfo the Linux scanner builds.
 */
import { parseListenAddress } from './listenAddress.js';
import type { ListenSocket, ProcessInfo } from '../types.js';

export interface LsofListener {
  readonly pid: number;
  readonly command: string;
  readonly listening: readonly ListenSocket[];
}

/** lsof escapes unprintable bytes and spaces in names as \xNN. */
function unescapeLsof(text: string): string {
  return text.replace(/\\x([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** `-F` output: one field per line, the first letter names it; a `p` line starts a new process. */
export function parseLsofFields(text: string): LsofListener[] {
  const out: Array<{ pid: number; command: string; listening: ListenSocket[] }> = [];
  let current: (typeof out)[number] | undefined;
  for (const line of text.split(/\r?\n/)) {
    const tag = line[0];
    const value = line.slice(1);
    if (tag === 'p' && /^\d+$/.test(value)) {
      current = { pid: Number(value), command: '', listening: [] };
      out.push(current);
    } else if (tag === 'c' && current) current.command = unescapeLsof(value);
    else if (tag === 'n' && current) {
      const socket = parseListenAddress(value);
      if (socket && !current.listening.some((s) => s.address === socket.address && s.port === socket.port)) current.listening.push(socket);
    }
  }
  return out;
}

/** The tabular form `COMMAND PID USER FD TYPE DEVICE SIZE/OFF NODE NAME`, rows merged per pid. */
export function parseLsofTable(text: string): LsofListener[] {
  const byPid = new Map<number, { pid: number; command: string; listening: ListenSocket[] }>();
  for (const line of text.split(/\r?\n/)) {
    const cols = line.trim().split(/\s+/);
    const pid = Number(cols[1]);
    const tcpAt = cols.indexOf('TCP');
    if (!Number.isInteger(pid) || pid <= 0 || tcpAt < 0) continue;
    const family = cols.includes('IPv6') ? 'ipv6' : cols.includes('IPv4') ? 'ipv4' : undefined;
    const socket = parseListenAddress(cols.slice(tcpAt + 1).join(' '), family);
    if (!socket) continue;
    const entry = byPid.get(pid) ?? { pid, command: unescapeLsof(cols[0] ?? ''), listening: [] };
    byPid.set(pid, entry);
    if (!entry.listening.some((s) => s.address === socket.address && s.port === socket.port)) entry.listening.push(socket);
  }
  return [...byPid.values()];
}

export interface PsRow {
  readonly pid: number;
  readonly ppid: number;
  /** The command split on spaces: ps joins argv with spaces, so arguments holding spaces come back split. */
  readonly argv: readonly string[];
}

export function parsePs(text: string): PsRow[] {
  const rows: PsRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.+?)\s*$/.exec(line);
    if (m) rows.push({ pid: Number(m[1]), ppid: Number(m[2]), argv: (m[3] ?? '').split(/\s+/) });
  }
  return rows;
}

/** `lsof -a -d cwd -Fn -p <pids>` → working directory per pid. */
export function parseLsofCwd(text: string): Map<number, string> {
  const cwds = new Map<number, string>();
  let pid: number | undefined;
  for (const line of text.split(/\r?\n/)) {
    if (line.startsWith('p') && /^\d+$/.test(line.slice(1))) pid = Number(line.slice(1));
    else if (line.startsWith('n') && pid !== undefined && !cwds.has(pid)) cwds.set(pid, unescapeLsof(line.slice(1)));
  }
  return cwds;
}

function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}

/** Every process ps lists, with listeners from lsof and working directories where known. */
export function joinDarwinProcesses(ps: readonly PsRow[], listeners: readonly LsofListener[], cwds: ReadonlyMap<number, string> = new Map()): ProcessInfo[] {
  const byPid = new Map(listeners.map((l) => [l.pid, l]));
  return ps.map((row) => {
    const listener = byPid.get(row.pid);
    const cwd = cwds.get(row.pid);
    return {
      pid: row.pid,
      ppid: row.ppid,
      name: listener?.command || basename(row.argv[0] ?? ''),
      argv: row.argv,
      ...(cwd !== undefined ? { cwd } : {}),
      listening: listener?.listening ?? [],
    };
  });
}
