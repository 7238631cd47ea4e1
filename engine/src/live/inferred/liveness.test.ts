import { describe, expect, it } from 'vitest';
import { processAliveForDirectory } from './liveness.js';

describe('processAliveForDirectory', () => {
  it('is true only for directories some OpenCode process has as its cwd', () => {
    const alive = processAliveForDirectory([
      { pid: 10, cwd: '/home/u/project-a' },
      { pid: 11, cwd: '/home/u/project-b/' },
    ], 'linux');
    expect(alive('/home/u/project-a')).toBe(true);
    expect(alive('/home/u/project-b')).toBe(true);
    expect(alive('/home/u/project-a/sub')).toBe(false);
    expect(alive('/home/u')).toBe(false);
    expect(alive('')).toBe(false);
  });

  it('ignores attach clients, which run no agent', () => {
    const alive = processAliveForDirectory([{ pid: 12, cwd: '/p', mode: 'attach' }], 'linux');
    expect(alive('/p')).toBe(false);
  });

  it('treats every directory as alive when some process cwd is unknown (e.g. Windows tasklist)', () => {
    const alive = processAliveForDirectory([{ pid: 13, cwd: '/p' }, { pid: 14 }], 'linux');
    expect(alive('/elsewhere')).toBe(true);
  });

  it('compares case-insensitively where the file system does, and exactly on Linux', () => {
    expect(processAliveForDirectory([{ pid: 1, cwd: '/Users/Me/Proj' }], 'darwin')('/users/me/proj')).toBe(true);
    expect(processAliveForDirectory([{ pid: 1, cwd: '/home/Me/Proj' }], 'linux')('/home/me/proj')).toBe(false);
  });

  it('says no process is alive when there are none', () => {
    expect(processAliveForDirectory([], 'linux')('/p')).toBe(false);
  });
});
