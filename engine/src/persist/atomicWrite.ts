/**
 * Crash-safe file writes: write a hidden temp file beside the target, fsync it, rename it over the target.
 * A reader sees the old file or the whole new one, never a partial one. `fsyncDir` makes the rename itself
 * durable. Files are 0600 and directories 0700: persisted tables are redacted but still private.
 *
 * This is a thin fs adapter: it throws Node's errors, and the state store turns them into problems.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** `.<name>.tmp-<pid>-<random>`: hidden, unique per writer, recognised by `isTempName`. */
function tempPathFor(file: string): string {
  const name = `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  return path.join(path.dirname(file), name);
}

/**
 * Writes `data` to `file` atomically (temp + fsync + rename) with permissions `mode` (private by default). Does
 * not fsync the directory; see `fsyncDir`.
 */
export async function writeFileAtomic(file: string, data: Uint8Array | string, mode: number = FILE_MODE): Promise<void> {
  const temp = tempPathFor(file);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx', mode);
    await handle.writeFile(data);
    // The umask may have narrowed `mode` at creation; set it exactly before the file becomes visible.
    await handle.chmod(mode);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await fs.rename(temp, file);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw error;
  }
}

/** Makes the directory's entries (a rename, a new file) durable. A no-op where directories cannot be synced. */
export async function fsyncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // Windows and some filesystems refuse to open or sync a directory; the rename is still atomic there.
    if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL' && code !== 'EBADF') throw error;
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** Creates `dir` (and missing parents) as 0700, and tightens `dir` itself to 0700 if it already existed. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: DIR_MODE });
  await fs.chmod(dir, DIR_MODE);
}
