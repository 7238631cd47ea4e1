/**
 * Memory of the headless Chromium this benchmark launched: the proportional set size (PSS, shared pages split
 * between their users, so the sum over processes does not count them twice) of every Chromium process below
 * this Node process. Linux only (/proc); elsewhere it reports nothing rather than a wrong figure.
 */
import fs from 'node:fs';

function parentOf(pid: number): number | null {
  try {
    // The command name in field 2 may hold spaces and parentheses: read after the last ')'.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Every live process whose ancestry reaches `rootPid`. */
export function descendantsOf(rootPid: number): number[] {
  let pids: number[];
  try {
    pids = fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
  } catch {
    return [];
  }
  const parent = new Map<number, number | null>(pids.map((pid) => [pid, parentOf(pid)]));
  const below = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && p !== null && p > 1 && hops < 64; p = parent.get(p), hops++) {
      if (p === rootPid) return true;
    }
    return false;
  };
  return pids.filter(below);
}

function pssKb(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    return 0;
  }
}

function isChromium(pid: number): boolean {
  try {
    return /chrom/i.test(fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] ?? '');
  } catch {
    return false;
  }
}

export interface BrowserMemory {
  readonly processes: number;
  readonly pssKb: number;
}

/** Chromium processes started (directly or not) by this Node process, and their total PSS. */
export function chromiumMemory(rootPid: number = process.pid): BrowserMemory | null {
  const pids = descendantsOf(rootPid).filter(isChromium);
  if (pids.length === 0) return null;
  return { processes: pids.length, pssKb: pids.reduce((sum, pid) => sum + pssKb(pid), 0) };
}
