/**
 * Pure parsers for the Windows tools discovery runs: `netstat -ano -p TCP` (plus `-p TCPv6`) and
 * `tasklist /FO CSV /NH`. Windows gives no argv or cwd this way, so modes stay 'unknown' there.
 */
import { parseListenAddress } from './listenAddress.js';
import type { ListenSocket, ProcessInfo } from '../types.js';

export interface NetstatListener extends ListenSocket {
  readonly pid: number;
}

/**
 * Keeps listening rows. The State column is translated on non-English Windows ("ABHÖREN"), so a row also counts
 * as listening when its foreign address has port 0, which only listeners show.
 */
export function parseNetstat(text: string): NetstatListener[] {
  const out: NetstatListener[] = [];
  for (const line of text.split(/\r?\n/)) {
    const cols = line.trim().split(/\s+/);
    if (cols[0]?.toUpperCase() !== 'TCP' || cols.length < 5) continue;
    const [, local = '', foreign = '', state = ''] = cols;
    const pid = Number(cols.at(-1));
    const listening = state.toUpperCase() === 'LISTENING' || /:0$/.test(foreign);
    if (!listening || !Number.isInteger(pid) || pid <= 0) continue;
    const socket = parseListenAddress(local);
    if (socket) out.push({ ...socket, pid });
  }
  return out;
}

export interface TasklistRow {
  readonly name: string;
  readonly pid: number;
}

/** One CSV line; fields are quoted and may contain commas ("9,812 K"). */
export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      fields.push(field);
      field = '';
    } else field += ch;
  }
  fields.push(field);
  return fields;
}

export function parseTasklistCsv(text: string): TasklistRow[] {
  const rows: TasklistRow[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') continue;
    const [name, pidText] = splitCsvLine(line.trim());
    const pid = Number(pidText);
    if (name && Number.isInteger(pid) && pid >= 0) rows.push({ name, pid });
  }
  return rows;
}

export function joinWin32Processes(tasks: readonly TasklistRow[], listeners: readonly NetstatListener[]): ProcessInfo[] {
  return tasks.map((t) => ({
    pid: t.pid,
    name: t.name,
    argv: [],
    listening: listeners.filter((l) => l.pid === t.pid).map(({ address, port }) => ({ address, port })),
  }));
}
