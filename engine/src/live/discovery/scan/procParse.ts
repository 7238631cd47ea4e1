/**
 * Pure parsers for the Linux /proc files discovery reads. No I/O here: procScan.ts reads, these interpret.
 */

/** A LISTEN row of /proc/net/tcp or tcp6: the socket inode joins it to a process through /proc/<pid>/fd. */
export interface ProcListenRow {
  readonly inode: string;
  readonly address: string;
  readonly port: number;
}

const TCP_LISTEN = '0A';

/**
 * Parses /proc/net/tcp (IPv4) or /proc/net/tcp6 and keeps LISTEN rows. Addresses are written by the kernel as
 * 32-bit words in host byte order, so the reader's endianness matters; ports are big-endian hex.
 */
export function parseProcNetTcp(text: string, endianness: 'LE' | 'BE' = 'LE'): ProcListenRow[] {
  const rows: ProcListenRow[] = [];
  for (const line of text.split('\n')) {
    const cols = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode …
    if (cols.length < 10 || !/^\d+:$/.test(cols[0] ?? '')) continue;
    const [local, , state] = [cols[1] ?? '', cols[2], cols[3]];
    const inode = cols[9] ?? '';
    if (state !== TCP_LISTEN || !/^\d+$/.test(inode)) continue;
    const [hexAddress, hexPort] = local.split(':');
    if (!hexAddress || !hexPort || !/^[0-9A-Fa-f]{4}$/.test(hexPort)) continue;
    const address = decodeProcAddress(hexAddress, endianness);
    if (address === undefined) continue;
    rows.push({ inode, address, port: parseInt(hexPort, 16) });
  }
  return rows;
}

/** 8 hex digits → dotted IPv4; 32 hex digits → IPv6 text. Undefined for anything else. */
export function decodeProcAddress(hex: string, endianness: 'LE' | 'BE' = 'LE'): string | undefined {
  if (!/^[0-9A-Fa-f]+$/.test(hex) || (hex.length !== 8 && hex.length !== 32)) return undefined;
  const bytes: number[] = [];
  for (let w = 0; w < hex.length; w += 8) {
    const word = [0, 2, 4, 6].map((i) => parseInt(hex.slice(w + i, w + i + 2), 16));
    bytes.push(...(endianness === 'LE' ? word.reverse() : word));
  }
  return bytes.length === 4 ? bytes.join('.') : formatIpv6(bytes);
}

function formatIpv6(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  const isMappedV4 = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (isMappedV4) return `::ffff:${bytes.slice(12).join('.')}`;
  // Compress the longest run of zero groups (length ≥ 2), as RFC 5952 asks.
  let bestStart = -1;
  let bestLength = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength && j - i >= 2) [bestStart, bestLength] = [i, j - i];
    i = j;
  }
  const hexGroups = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hexGroups.join(':');
  return `${hexGroups.slice(0, bestStart).join(':')}::${hexGroups.slice(bestStart + bestLength).join(':')}`;
}

/** /proc/<pid>/cmdline: arguments separated (and usually ended) by NUL. */
export function splitCmdline(raw: string): string[] {
  const parts = raw.split('\0');
  if (parts.at(-1) === '') parts.pop();
  return parts;
}

/** /proc/<pid>/environ: NUL-separated KEY=VALUE pairs; the value may itself contain '='. */
export function parseEnviron(raw: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return env;
}

/** The inode of a `/proc/<pid>/fd/N` link target `socket:[12345]`, or undefined for files, pipes, anon inodes. */
export function socketInode(linkTarget: string): string | undefined {
  return /^socket:\[(\d+)\]$/.exec(linkTarget)?.[1];
}

/** /proc/<pid>/comm ends with a newline and is cut at 15 bytes by the kernel. */
export function parseComm(raw: string): string {
  return raw.replace(/\n$/, '');
}

/** A readlink of /proc/<pid>/exe for a replaced binary ends in " (deleted)"; the name is still what ran. */
export function parseExeLink(target: string): string {
  return target.replace(/ \(deleted\)$/, '');
}
