/**
 * The audit log of actions the monitor took on the user's behalf (issue 5, "Actions"): one JSON object per
 * line, appended, never rewritten. Appends are serialised so concurrent actions cannot interleave lines.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fail, ok } from '../../../../shared/src/index.js';
import type { Result } from '../../../../shared/src/index.js';
import { liveProblem } from './liveProblem.js';

export type ActionKind = 'permission.reply' | 'question.reply' | 'question.reject';

export interface ActionLogEntry {
  readonly timeMs: number;
  readonly instanceId: string;
  readonly sessionId: string;
  readonly action: ActionKind;
  readonly requestId: string;
  /** once / always / reject for permissions; the chosen labels (JSON) for questions; `reject` for a rejected question. */
  readonly reply: string;
  readonly message?: string;
  /** Whether OpenCode accepted the reply. */
  readonly ok: boolean;
  /** The problem code when it did not. */
  readonly problem?: string;
}

export interface ActionLog {
  append(entry: ActionLogEntry): Promise<Result<void>>;
}

export function createJsonlActionLog(path: string): ActionLog {
  let queue: Promise<unknown> = Promise.resolve();
  let dirReady: Promise<unknown> | undefined;
  return {
    append(entry) {
      const line = `${JSON.stringify(entry)}\n`;
      const write = queue.then(async (): Promise<Result<void>> => {
        try {
          dirReady ??= mkdir(dirname(path), { recursive: true });
          await dirReady;
          await appendFile(path, line, { encoding: 'utf8', mode: 0o600 });
          return ok(undefined);
        } catch (err) {
          dirReady = undefined;
          return fail(liveProblem('live.audit-unwritable', `could not append to the audit log: ${err instanceof Error ? err.message : String(err)}`, path));
        }
      });
      queue = write;
      return write;
    },
  };
}
