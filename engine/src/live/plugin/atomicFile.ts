/**
 * The two thin fs steps the bridge needs: write a file so readers see the old or the whole new content (temp
 * beside the target, then rename), and turn a Node fs error into a problem. The persist module has its own
 * writer but keeps it private, and this one must also set a chosen mode on the final file.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Problem } from '../../../../shared/src/index.js';

export const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

/** Writes `data` to `file` atomically with permissions `mode`; throws Node's error on failure. */
export async function writeFileAtomic(file: string, data: string, mode: number): Promise<void> {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(temp, 'wx', mode);
    await handle.writeFile(data, 'utf8');
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

/** A failed fs call as a problem: what we tried, on which path, and the errno for the logs. */
export function ioProblem(error: unknown, action: string, source: string): Problem {
  const code = errnoOf(error);
  return {
    code: 'source.unreadable',
    message: `could not ${action}: ${error instanceof Error ? error.message : String(error)}`,
    source,
    detail: { errno: code ?? null },
  };
}
