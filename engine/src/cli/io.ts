/** What a command may touch of the outside world; tests pass their own. */
import type { Logger } from '../log.js';

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly logger: Logger;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Resolves when the user asks a long-running command to stop (SIGINT/SIGTERM). */
  readonly stopSignal: Promise<string>;
  /** Called once a long-running command is ready (tests use it to learn the URL). */
  readonly onReady?: (info: { url: string; port: number }) => void;
}
