import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { decodeProcAddress, parseComm, parseEnviron, parseExeLink, parseProcNetTcp, socketInode, splitCmdline } from './procParse.js';

const fixture = (name: string): string => readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

describe('parseProcNetTcp', () => {
  it('keeps only LISTEN rows of an IPv4 table, with decoded address, port and inode', () => {
    expect(parseProcNetTcp(fixture('proc-net-tcp.txt'))).toEqual([
      { inode: '41234', address: '127.0.0.1', port: 4096 },
      { inode: '18811', address: '0.0.0.0', port: 2024 },
      { inode: '41999', address: '127.0.0.1', port: 41459 },
    ]);
  });

  it('decodes IPv6 loopback, wildcard, v4-mapped and global addresses', () => {
    expect(parseProcNetTcp(fixture('proc-net-tcp6.txt'))).toEqual([
      { inode: '52001', address: '::1', port: 4097 },
      { inode: '52002', address: '::', port: 49152 },
      { inode: '52003', address: '::ffff:127.0.0.1', port: 9000 },
      { inode: '52004', address: '2001:db8::1', port: 80 },
    ]);
  });

  it('skips headers, blank and malformed lines', () => {
    expect(parseProcNetTcp('garbage\n\n   0: XYZ:1000 00000000:0000 0A a b c d e 1\n')).toEqual([]);
  });

  it('honours big-endian hosts', () => {
    expect(decodeProcAddress('7F000001', 'BE')).toBe('127.0.0.1');
    expect(decodeProcAddress('0100007F', 'LE')).toBe('127.0.0.1');
    expect(decodeProcAddress('123', 'LE')).toBeUndefined();
  });
});

describe('cmdline, environ, fd links, comm, exe', () => {
  it('splits a NUL-separated command line and drops the trailing NUL', () => {
    expect(splitCmdline('/usr/bin/opencode\0serve\0--port\x004096\0')).toEqual(['/usr/bin/opencode', 'serve', '--port', '4096']);
    expect(splitCmdline('')).toEqual([]);
    expect(splitCmdline('a b c')).toEqual(['a b c']);
  });

  it('parses environ, keeping "=" inside values and ignoring junk', () => {
    expect(parseEnviron('HOME=/root\0OPENCODE_SERVER_PASSWORD=a=b=c\0=bad\0NOEQUALS\0EMPTY=\0')).toEqual({
      HOME: '/root',
      OPENCODE_SERVER_PASSWORD: 'a=b=c',
      EMPTY: '',
    });
  });

  it('extracts socket inodes from fd link targets only', () => {
    expect(socketInode('socket:[41234]')).toBe('41234');
    expect(socketInode('pipe:[41234]')).toBeUndefined();
    expect(socketInode('/dev/null')).toBeUndefined();
    expect(socketInode('anon_inode:[eventpoll]')).toBeUndefined();
  });

  it('trims comm and the "(deleted)" suffix of a replaced binary', () => {
    expect(parseComm('opencode\n')).toBe('opencode');
    expect(parseExeLink('/home/u/.opencode/bin/opencode (deleted)')).toBe('/home/u/.opencode/bin/opencode');
  });
});
