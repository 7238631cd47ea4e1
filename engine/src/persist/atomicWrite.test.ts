import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, fsyncDir, writeFileAtomic } from './atomicWrite.js';

let root: string;

beforeEach(async () => {
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'ocm-atomic-'));
});

afterEach(async () => {
  await fs.rm(root, { recursive: true, force: true });
});

const mode = async (p: string) => (await fs.stat(p)).mode & 0o777;

describe('writeFileAtomic', () => {
  it('writes the whole file as 0600 and leaves no temp file', async () => {
    const file = path.join(root, 'a.bin');
    await writeFileAtomic(file, new Uint8Array([1, 2, 3]));
    await writeFileAtomic(file, 'replaced');
    expect(await fs.readFile(file, 'utf8')).toBe('replaced');
    expect(await mode(file)).toBe(0o600);
    expect(await fs.readdir(root)).toEqual(['a.bin']);
  });

  it('throws and removes its temp file when the rename fails, leaving the target as it was', async () => {
    const target = path.join(root, 'taken');
    await fs.mkdir(path.join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toThrow();
    expect(await fs.readdir(root)).toEqual(['taken']);
    expect((await fs.stat(target)).isDirectory()).toBe(true);
  });

  it('throws when the directory does not exist', async () => {
    await expect(writeFileAtomic(path.join(root, 'missing', 'f'), 'x')).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('directories', () => {
  it('creates missing parents as 0700 and tightens an existing directory', async () => {
    const deep = path.join(root, 'a', 'b');
    await ensurePrivateDir(deep);
    expect(await mode(path.join(root, 'a'))).toBe(0o700);
    expect(await mode(deep)).toBe(0o700);
    await fs.chmod(deep, 0o755);
    await ensurePrivateDir(deep);
    expect(await mode(deep)).toBe(0o700);
  });

  it('fsyncs a directory', async () => {
    await expect(fsyncDir(root)).resolves.toBeUndefined();
  });
});
