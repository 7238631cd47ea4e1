/**
 * Turns a Node fs error into a problem for the bridge file and the installer; the writes themselves use the
 * persist module's atomic writer (temp + fsync + rename, with the file mode set exactly).
 */
import type { Problem } from '../../../../shared/src/index.js';

export const errnoOf = (error: unknown): string | undefined => (error as NodeJS.ErrnoException | undefined)?.code;

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
